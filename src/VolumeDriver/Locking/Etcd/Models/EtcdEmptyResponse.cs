namespace VolumeDriver.Locking.Etcd;

internal sealed record EtcdEmptyResponse;
