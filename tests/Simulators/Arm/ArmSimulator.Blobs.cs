using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Simulators.Arm;

/// <summary>
/// What the double does in the storage accounts it manages (in the tests, real Azurite), signing its
/// own Blob requests with the account's key as Azure's resource providers have their own access.
/// <para>
/// VM updates: Azure takes an infinite lease on a VHD while a VM has it attached and releases it at
/// detach. That lease is how everyone else (a delete, another VM, migrate-vhd) learns the disk is in
/// use, so the double mirrors it onto the blob, with the VM's id as the lease id.
/// </para>
/// <para>
/// Disk import (creationData.createOption Import): the disk resource provider reads the source VHD
/// from the account storageAccountId names and sizes the disk from the footer's current size. Azure
/// refuses a footer without the cookie (400 InvalidParameter, "The specified cookie value in VHD
/// footer indicates that disk '…' with blob … is not a supported VHD. Disk is expected to have cookie
/// value 'conectix'."), anything else that is no fixed VHD (400 BadRequest, "Only blobs formatted as
/// VHDs can be imported.") and a virtual size that is no whole number of MiB; those messages are the
/// ones users quote from Azure in the azure-cli, azure-docs and Storage Explorer trackers. The blob
/// is only read.
/// </para>
/// </summary>
public sealed partial class ArmSimulator
{
    // A version Azure Stack Hub's Blob service serves too (its newest, 2019-07-07), as the double may stand for a stamp.
    private const string BlobApiVersion = "2019-07-07";

    /// <summary>The double's one client for the Blob service, as a resource provider keeps one.</summary>
    private readonly HttpClient _blobHttp = new();

    /// <summary>The imported disk's size in bytes (the VHD's virtual size), after the checks Azure makes.</summary>
    private async Task<long> ReadImportSourceAsync(string diskName, JsonObject creationData, string location, CancellationToken cancellationToken)
    {
        var source = creationData["sourceUri"]?.GetValue<string>();
        var accountId = creationData["storageAccountId"]?.GetValue<string>();
        if (source is null || !Uri.TryCreate(source, UriKind.Absolute, out var sourceUri))
        {
            throw new ArmFault(400, "InvalidParameter", "Required parameter 'sourceUri' is missing (null).", "sourceUri");
        }

        if (accountId is null)
        {
            throw new ArmFault(400, "InvalidParameter", "Required parameter 'storageAccountId' is missing (null).", "storageAccountId");
        }

        var accountsPrefix = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts/";
        ArmStorageAccount? account = null;
        lock (_lock)
        {
            if (accountId.StartsWith(accountsPrefix, StringComparison.OrdinalIgnoreCase))
            {
                _storageAccounts.TryGetValue(accountId[accountsPrefix.Length..], out account);
            }
        }

        if (account is null)
        {
            throw new ArmFault(404, "ResourceNotFound", $"The Resource 'Microsoft.Storage/storageAccounts/{accountId.Split('/')[^1]}' under resource group '{_options.ResourceGroup}' was not found.");
        }

        if (!string.Equals(account.Location, location, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArmFault(400, "InvalidParameter", $"The storage account '{account.Name}' is in location '{account.Location}'; a disk imported from it must be created in the same location, not '{location}'.", "storageAccountId");
        }

        var (blobAccount, path) = BlobOf(sourceUri);
        if (!string.Equals(blobAccount, account.Name, StringComparison.Ordinal))
        {
            throw new ArmFault(400, "InvalidParameter", $"The blob {source} is not in storage account '{account.Name}' that storageAccountId names.", "sourceUri");
        }

        using var head = await SendBlobAsync(HttpMethod.Head, sourceUri, account, path, null, new Dictionary<string, string>(), cancellationToken);
        if (head.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ArmFault(400, "DiskBlobNotFound", $"Unable to find VHD blob with URI {source} for disk '{diskName}'.");
        }

        head.EnsureSuccessStatusCode();
        var length = head.Content.Headers.ContentLength ?? 0;
        var blobType = head.Headers.TryGetValues("x-ms-blob-type", out var types) ? types.FirstOrDefault() : null;
        if (blobType != "PageBlob" || length < 1024 || length % 512 != 0)
        {
            throw new ArmFault(400, "BadRequest", "Only blobs formatted as VHDs can be imported.");
        }

        using var tail = await SendBlobAsync(HttpMethod.Get, sourceUri, account, path, null, new Dictionary<string, string> { ["x-ms-range"] = $"bytes={length - 512}-{length - 1}" }, cancellationToken);
        tail.EnsureSuccessStatusCode();
        var footer = await tail.Content.ReadAsByteArrayAsync(cancellationToken);
        if (footer.Length != 512 || !footer.AsSpan(0, 8).SequenceEqual("conectix"u8))
        {
            throw new ArmFault(400, "InvalidParameter", $"The specified cookie value in VHD footer indicates that disk '{diskName}' with blob {source} is not a supported VHD. Disk is expected to have cookie value 'conectix'.", "disks");
        }

        var virtualSize = (long)BinaryPrimitives.ReadUInt64BigEndian(footer.AsSpan(48));
        if (BinaryPrimitives.ReadUInt32BigEndian(footer.AsSpan(60)) != 2 || !FooterChecksumHolds(footer) || virtualSize + 512 != length)
        {
            throw new ArmFault(400, "BadRequest", "Only blobs formatted as VHDs can be imported.");
        }

        if (virtualSize % (1 << 20) != 0)
        {
            throw new ArmFault(400, "InvalidParameter", $"Disk '{diskName}' with blob {source} has unsupported virtual size of {virtualSize} bytes.  The size must be a whole number (in MBs).", "disks");
        }

        return virtualSize;
    }

    /// <summary>The account and the path below it of a host-style (Azure) or path-style (Azurite) blob URI.</summary>
    private static (string Account, string Path) BlobOf(Uri blob) =>
        blob.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase)
            ? (blob.Host.Split('.')[0], blob.AbsolutePath)
            : (blob.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty, blob.AbsolutePath);

    /// <summary>
    /// Takes (acquire) or gives back (release) the lease a VM holds on an attached VHD, for blobs in
    /// the accounts the double manages; others (a test's made-up URI) are left alone.
    /// </summary>
    private async Task LeaseVhdAsync(string vhd, ArmVm vm, bool acquire, CancellationToken cancellationToken)
    {
        var uri = new Uri(vhd);
        var (accountName, path) = BlobOf(uri);
        ArmStorageAccount? account;
        lock (_lock)
        {
            _storageAccounts.TryGetValue(accountName, out account);
        }

        if (account is null)
        {
            return;
        }

        var headers = acquire
            ? new Dictionary<string, string> { ["x-ms-lease-action"] = "acquire", ["x-ms-lease-duration"] = "-1", ["x-ms-proposed-lease-id"] = vm.VmId }
            : new Dictionary<string, string> { ["x-ms-lease-action"] = "release", ["x-ms-lease-id"] = vm.VmId };
        using var response = await SendBlobAsync(HttpMethod.Put, new Uri(uri, "?comp=lease"), account, path, "comp:lease", headers, cancellationToken);
        if (acquire && response.StatusCode == HttpStatusCode.Conflict)
        {
            // Someone else holds the lease: the attach fails as kubernetes#46421 records it, and the VM keeps its disks.
            throw new ArmFault(409, "AcquireDiskLeaseFailed", $"Failed to acquire lease while creating disk '{Path.GetFileNameWithoutExtension(uri.AbsolutePath)}' using blob with URI {vhd}. Blob is already in use.");
        }

        if (!response.IsSuccessStatusCode && !(response.StatusCode == HttpStatusCode.NotFound && !acquire))
        {
            var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.FirstOrDefault() : null;
            throw new InvalidOperationException($"the double could not {(acquire ? "acquire" : "release")} the lease of {vhd} for VM {vm.Name}: {(int)response.StatusCode} {code}");
        }
    }

    /// <summary>Acquires the leases of the VHDs an update attached to <paramref name="vm"/> and releases those it detached.</summary>
    private async Task MirrorVhdLeasesAsync(ArmVm vm, IReadOnlyList<string> before)
    {
        List<string> now;
        lock (_lock)
        {
            now = vm.DataDisks.Where(d => d.VhdUri is not null).Select(d => d.VhdUri!).ToList();
        }

        foreach (var attached in now.Except(before, StringComparer.OrdinalIgnoreCase))
        {
            await LeaseVhdAsync(attached, vm, acquire: true, CancellationToken.None);
        }

        foreach (var detached in before.Except(now, StringComparer.OrdinalIgnoreCase))
        {
            await LeaseVhdAsync(detached, vm, acquire: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// A Blob request signed with Shared Key (the Storage REST reference's string to sign: the verb,
    /// eleven standard headers, here all empty as these requests have no body and send Range as
    /// x-ms-range, the x-ms- headers sorted, then /account, the URI's path and the query parameters).
    /// Written here, not borrowed from the driver, so that a mistake in the driver's signing cannot
    /// hide behind the same mistake.
    /// </summary>
    private async Task<HttpResponseMessage> SendBlobAsync(HttpMethod method, Uri blob, ArmStorageAccount account, string path, string? canonicalQuery, IReadOnlyDictionary<string, string> extraHeaders, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, blob);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-ms-date"] = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture),
            ["x-ms-version"] = BlobApiVersion,
        };
        foreach (var (name, value) in extraHeaders)
        {
            headers[name] = value;
        }

        var toSign = new StringBuilder(method.Method).Append('\n', 12);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
            toSign.Append(name).Append(':').Append(value).Append('\n');
        }

        toSign.Append('/').Append(account.Name).Append(path);
        if (canonicalQuery is not null)
        {
            toSign.Append('\n').Append(canonicalQuery);
        }

        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(account.Key), Encoding.UTF8.GetBytes(toSign.ToString())));
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {account.Name}:{signature}");
        return await _blobHttp.SendAsync(request, cancellationToken);
    }

    private static bool FooterChecksumHolds(byte[] footer)
    {
        uint sum = 0;
        for (var i = 0; i < footer.Length; i++)
        {
            sum += i is >= 64 and < 68 ? 0u : footer[i];
        }

        return ~sum == BinaryPrimitives.ReadUInt32BigEndian(footer.AsSpan(64));
    }
}
