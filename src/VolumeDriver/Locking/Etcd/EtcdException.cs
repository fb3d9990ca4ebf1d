using VolumeDriver.Errors;

namespace VolumeDriver.Locking.Etcd;

/// <summary>etcd could not be reached or refused a request. The message names the endpoint and etcd's words, never a password.</summary>
internal sealed class EtcdException : VolumeDriverException
{
    public EtcdException(string message, int? grpcCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        GrpcCode = grpcCode;
    }

    /// <summary>The gRPC status code etcd answered with (16 unauthenticated, 5 not found...), when it answered.</summary>
    public int? GrpcCode { get; }
}
