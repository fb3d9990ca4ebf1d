using System.Text;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Tests.FlexVolume;

public sealed class ReplyWriterTests
{
    [Fact]
    public void Serialize_Init_IsByteExact()
    {
        var text = Encoding.UTF8.GetString(ReplyWriter.Serialize(Reply.Initialized(DriverCapabilities.Current), indented: false));
        Assert.Equal("{\"status\":\"Success\",\"capabilities\":{\"attach\":true,\"selinuxRelabel\":true,\"supportsMetrics\":true,\"fsGroup\":true,\"requiresFSResize\":true}}\n", text);
    }

    [Fact]
    public void InitReplyBytes_EqualWhatTheWriterProduces()
    {
        Assert.Equal(ReplyWriter.Serialize(Reply.Initialized(DriverCapabilities.Current), indented: false), InitReply.Bytes.ToArray());
    }

    [Fact]
    public void Serialize_PlainStatus_IsExact()
    {
        Assert.Equal("{\"status\":\"Success\"}\n", Encoding.UTF8.GetString(ReplyWriter.Serialize(Reply.Success(), indented: false)));
        Assert.Equal("{\"status\":\"Not supported\"}\n", Encoding.UTF8.GetString(ReplyWriter.Serialize(Reply.NotSupported(), indented: false)));
    }

    [Fact]
    public void Serialize_DeviceAndAttached_AreStringAndBoolean()
    {
        Assert.Equal("{\"status\":\"Success\",\"device\":\"/dev/loop3\"}\n", Encoding.UTF8.GetString(ReplyWriter.Serialize(Reply.WithDevice("/dev/loop3"), false)));
        Assert.Equal("{\"status\":\"Success\",\"attached\":false}\n", Encoding.UTF8.GetString(ReplyWriter.Serialize(Reply.WithAttached(false), false)));
    }

    [Fact]
    public void Serialize_FailureMessage_EscapesControlCharactersAndKeepsNoBom()
    {
        var bytes = ReplyWriter.Serialize(Reply.Failure("bad \"x\"\nnext <b>"), false);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal("{\"status\":\"Failure\",\"message\":\"bad \\\"x\\\"\\nnext <b>\"}\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Write_Twice_WritesOnlyTheFirstReplyAndKeepsItsExitCode()
    {
        using var output = new MemoryStream();
        var writer = new ReplyWriter(output, indented: false);
        Assert.Equal(1, writer.Write(Reply.Failure("first")));
        Assert.Equal(1, writer.Write(Reply.Success()));
        Assert.Equal("{\"status\":\"Failure\",\"message\":\"first\"}\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Write_FailureAfterSuccess_KeepsExitZero()
    {
        using var output = new MemoryStream();
        var writer = new ReplyWriter(output, indented: false);
        Assert.Equal(0, writer.Write(Reply.Success()));
        Assert.Equal(0, writer.Write(Reply.Failure("internal error after the reply")));
        Assert.Equal("{\"status\":\"Success\"}\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void ExitCode_IsOneOnlyForFailure()
    {
        Assert.Equal(0, Reply.Success().ExitCode);
        Assert.Equal(0, Reply.NotSupported().ExitCode);
        Assert.Equal(1, Reply.Failure("x").ExitCode);
    }
}
