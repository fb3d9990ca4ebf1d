using System.Text.Json;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary><c>volume-driver migrate-vhd</c>'s output: one JSON object for the operator and for scripts.</summary>
internal static class VhdMigrationWriter
{
    /// <summary>
    /// <c>{"status":"Success","message","source","diskURI","diskName","sizeBytes","sku","created","pvOptions":{"kind","diskName","diskURI"}}</c>:
    /// pvOptions are the flexVolume options the PV takes instead of its blob-disk ones.
    /// </summary>
    public static byte[] ToJson(VhdMigrationResult result, bool indented)
    {
        var message = (result.Created ? $"Imported {result.Source} into managed disk {result.DiskName}" : $"Managed disk {result.DiskName} was already imported from {result.Source}")
            + $" ({result.SizeBytes} bytes, {result.Sku}); the VHD is untouched. "
            + "A PV's source cannot be edited: with the pod stopped and persistentVolumeReclaimPolicy: Retain, re-create the PV under its name with the flexVolume options in pvOptions "
            + "(the other options stay), and delete the VHD only once the volume works.";
        using var buffer = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(buffer, ReplyWriter.JsonOptions(indented)))
        {
            json.WriteStartObject();
            json.WriteString("status", ReplyWriter.StatusText(ReplyStatus.Success));
            json.WriteString("message", message);
            json.WriteString("source", result.Source.AbsoluteUri);
            json.WriteString(AzureDiskOptions.DiskUriOption, result.DiskUri);
            json.WriteString(AzureDiskOptions.DiskNameOption, result.DiskName);
            json.WriteNumber("sizeBytes", result.SizeBytes);
            json.WriteString("sku", result.Sku);
            json.WriteBoolean("created", result.Created);
            json.WriteStartObject("pvOptions");
            json.WriteString(AzureDiskOptions.KindOption, "managed");
            json.WriteString(AzureDiskOptions.DiskNameOption, result.DiskName);
            json.WriteString(AzureDiskOptions.DiskUriOption, result.DiskUri);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
