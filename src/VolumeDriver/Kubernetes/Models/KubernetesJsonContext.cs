using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// The Kubernetes API's JSON, source-generated for the kinds this driver reads and writes and
/// nothing else (a context over every API type costs megabytes in the executable;
/// docs/research/kubernetes-provisioning.md §2). Nulls are left out when writing, so an optional
/// field the caller did not set is not sent as null (which a merge patch or the server's
/// defaulting would read as "clear it").
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PersistentVolume))]
[JsonSerializable(typeof(KubernetesList<PersistentVolume>))]
[JsonSerializable(typeof(PersistentVolumeClaim))]
[JsonSerializable(typeof(KubernetesList<PersistentVolumeClaim>))]
[JsonSerializable(typeof(StorageClass))]
[JsonSerializable(typeof(KubernetesList<StorageClass>))]
[JsonSerializable(typeof(KubernetesNode))]
[JsonSerializable(typeof(KubernetesList<KubernetesNode>))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(KubernetesList<Event>))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(KubernetesList<Lease>))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(DeleteOptions))]
[JsonSerializable(typeof(WatchEventLine))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext;
