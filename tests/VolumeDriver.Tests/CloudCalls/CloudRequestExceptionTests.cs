using VolumeDriver.CloudCalls;

namespace VolumeDriver.Tests.CloudCalls;

public sealed class CloudRequestExceptionTests
{
    [Fact]
    public void Message_Arm_EndsWithBothIds()
    {
        var ids = CloudRequestIds.From(CloudService.Arm, Headers(("x-ms-request-id", "5f0c"), ("x-ms-correlation-request-id", "9a1b")));

        var e = new CloudRequestException(CloudService.Arm, "PUT /x", 409, "Conflict", ids, "ARM answered 409 Conflict for PUT /x: busy");

        Assert.Equal("ARM answered 409 Conflict for PUT /x: busy (ARM request id 5f0c, correlation id 9a1b)", e.Message);
        Assert.Equal("5f0c", e.RequestId);
        Assert.Equal("9a1b", e.CorrelationId);
        Assert.Equal(409, e.Status);
        Assert.Equal("Conflict", e.ErrorCode);
    }

    [Theory]
    [InlineData("Blob", "x-ms-request-id", "Blob service request id r1")]
    [InlineData("VCloud", "X-VMWARE-VCLOUD-REQUEST-ID", "vCloud request id r1")]
    public void Message_OtherServices_NameTheirRequestId(string serviceName, string header, string expected)
    {
        var service = Enum.Parse<CloudService>(serviceName);
        var e = new CloudRequestException(service, "GET /y", 500, null, CloudRequestIds.From(service, Headers((header, "r1"))), "refused.");

        Assert.Equal($"refused. ({expected})", e.Message);
        Assert.Null(e.ErrorCode);
    }

    [Fact]
    public void Message_NoIds_IsTheCallersSentenceAlone()
    {
        var e = new CloudRequestException(CloudService.Etcd, "/v3/lock/lock", 0, "16", CloudRequestIds.From(CloudService.Etcd, Headers(("x-ms-request-id", "ignored"))), "etcd refused.");

        Assert.Equal("etcd refused.", e.Message);
        Assert.Null(e.RequestId);
    }

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
}
