namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdEmptyResponse;
