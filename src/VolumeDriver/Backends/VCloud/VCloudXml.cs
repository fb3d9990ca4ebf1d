using System.Xml.Linq;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// The XML vocabulary of the vCloud API that this backend reads and writes: namespaces, media types,
/// link relations. Responses declare many prefixes (ovf, rasd, vmext...) and real vCD emits them in
/// XSD order, so everything here finds elements by namespace and local name, never by prefix or
/// position.
/// </summary>
internal static class VCloudXml
{
    public static readonly XNamespace VCloud = "http://www.vmware.com/vcloud/v1.5";
    public static readonly XNamespace Versions = "http://www.vmware.com/vcloud/versions";
    public static readonly XNamespace Ovf = "http://schemas.dmtf.org/ovf/envelope/1";
    public static readonly XNamespace Rasd = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";

    public const string DiskMediaType = "application/vnd.vmware.vcloud.disk+xml";
    public const string DiskCreateParamsMediaType = "application/vnd.vmware.vcloud.diskCreateParams+xml";
    public const string DiskAttachOrDetachParamsMediaType = "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml";
    public const string VdcMediaType = "application/vnd.vmware.vcloud.vdc+xml";
    public const string OrgMediaType = "application/vnd.vmware.vcloud.org+xml";
    public const string VmsMediaType = "application/vnd.vmware.vcloud.vms+xml";
    public const string StorageProfileMediaType = "application/vnd.vmware.vcloud.vdcStorageProfile+xml";

    public const string RelAdd = "add";
    public const string RelDown = "down";
    public const string RelEdit = "edit";
    public const string RelRemove = "remove";
    public const string RelNextPage = "nextPage";
    public const string RelDiskAttach = "disk:attach";
    public const string RelDiskDetach = "disk:detach";

    /// <summary>The href of the first <c>Link</c> child with this rel (and type, when given), or null.</summary>
    public static Uri? FindLink(XElement element, string rel, string? type = null)
    {
        foreach (var link in element.Elements(VCloud + "Link"))
        {
            if ((string?)link.Attribute("rel") == rel
                && (type is null || string.Equals((string?)link.Attribute("type"), type, StringComparison.OrdinalIgnoreCase))
                && Uri.TryCreate((string?)link.Attribute("href"), UriKind.Absolute, out var href))
            {
                return href;
            }
        }

        return null;
    }

    /// <summary>The href of the first <c>Link</c> with this rel and type and name, or null.</summary>
    public static Uri? FindNamedLink(XElement element, string rel, string type, string name)
    {
        foreach (var link in element.Elements(VCloud + "Link"))
        {
            if ((string?)link.Attribute("rel") == rel
                && string.Equals((string?)link.Attribute("type"), type, StringComparison.OrdinalIgnoreCase)
                && (string?)link.Attribute("name") == name
                && Uri.TryCreate((string?)link.Attribute("href"), UriKind.Absolute, out var href))
            {
                return href;
            }
        }

        return null;
    }

    /// <summary>A required absolute href attribute.</summary>
    public static Uri Href(XElement element) =>
        Uri.TryCreate((string?)element.Attribute("href"), UriKind.Absolute, out var href)
            ? href
            : throw new VCloudProtocolException($"a {element.Name.LocalName} element carries no absolute href");

    /// <summary>The last path segment of an entity href, without the vApp API's "vm-" prefix: the entity's id.</summary>
    public static string IdOf(Uri href)
    {
        var segment = href.AbsolutePath.TrimEnd('/');
        segment = segment[(segment.LastIndexOf('/') + 1)..];
        return segment.StartsWith("vm-", StringComparison.Ordinal) ? segment[3..] : segment;
    }
}
