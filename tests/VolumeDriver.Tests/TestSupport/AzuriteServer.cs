using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Simulators;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A real Azurite Blob service (npm azurite, the official emulator, which checks Shared Key
/// signatures) on a free loopback port with a temporary data directory, with the accounts and keys
/// given through AZURITE_ACCOUNTS. Ready once the port answers. Over plain HTTP the tests reach it
/// through a <see cref="BlobServiceProxy"/> with <see cref="AzureStackBlobLimits"/>, so what an Azure
/// Stack Hub stamp refuses and Azurite accepts (a newer x-ms-version) is refused in every test.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private readonly string _scheme;

    private BlobServiceProxy? _stamp;

    private AzuriteServer(Process process, string directory, int port, IReadOnlyDictionary<string, string> keys, string scheme)
    {
        _scheme = scheme;
        _process = process;
        _directory = directory;
        Port = port;
        Keys = keys;
    }

    public int Port { get; }

    /// <summary>Account name → base64 key.</summary>
    public IReadOnlyDictionary<string, string> Keys { get; }

    /// <summary>The path-style endpoint template the tests use: the Azure Stack Hub limits in front of Azurite (over HTTPS, Azurite itself).</summary>
    public string EndpointTemplate => _stamp?.EndpointTemplate ?? DirectEndpointTemplate;

    /// <summary>Azurite's own path-style endpoint template, http://127.0.0.1:PORT/{account}/, with no stamp limits.</summary>
    public string DirectEndpointTemplate => $"{_scheme}://127.0.0.1:{Port}/{{account}}/";

    /// <summary>The x-ms-version of every request the tests sent through the stamp's limits (none over HTTPS).</summary>
    public IReadOnlyCollection<string> ServiceVersions => _stamp?.ServiceVersions ?? [];

    /// <summary>Every page-blob create that came through the stamp's limits (/account/container/blob), in order.</summary>
    public IReadOnlyList<string> PageBlobCreates => _stamp?.PageBlobCreates ?? [];

    public IReadOnlyList<(string Path, int Status)> PageBlobCreateAttempts => _stamp?.PageBlobCreateAttempts ?? [];

    /// <summary>The Azure Stack Hub stamp's front end the tests reach Azurite through, where a test injects the service's failures (not over HTTPS).</summary>
    public BlobServiceProxy Stamp => _stamp ?? throw new InvalidOperationException("Azurite over HTTPS is reached directly, with no stamp in front");

    /// <summary>A Blob client for one of Azurite's accounts, signing with its key.</summary>
    internal VolumeDriver.Backends.Azure.Blob.PageBlobStore Store(string account) =>
        VolumeDriver.Backends.Azure.Blob.PageBlobStore.WithSharedKey(account, Keys[account], new VolumeDriver.Backends.Azure.Blob.BlobEndpoint(EndpointTemplate), BlobOptions());

    /// <summary>Blob client options as the driver's: the default service version, no retries (a test sees the first answer).</summary>
    internal static global::Azure.Storage.Blobs.BlobClientOptions BlobOptions() =>
        VolumeDriver.Backends.Azure.Blob.PageBlobStore.Options(VolumeDriver.Configuration.BlobServiceVersions.Parse(VolumeDriver.Configuration.BlobServiceVersions.Default), TimeProvider.System, retries: NoRetries);

    /// <summary>One attempt and no retry.</summary>
    internal static VolumeDriver.CloudCalls.RetrySchedule NoRetries { get; } = new(TimeSpan.Zero, TimeSpan.Zero, maxAttempts: 1, maxElapsed: null);

    /// <summary>Why Azurite tests cannot run here, or null. In CI a missing Azurite is a failure, not a skip.</summary>
    public static string? MissingReason =>
        Executable() is not null || Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ? null : "needs Azurite (npm install -g azurite)";

    public static Task<AzuriteServer> StartAsync(params string[] accounts) => StartAsync(null, accounts);

    /// <summary>
    /// Azurite over HTTPS with the test CA's server certificate and OAuth at its basic level, where it
    /// accepts a bearer token whose lifetime, issuer and audience are Entra ID's (it does not check the
    /// signature), besides Shared Key.
    /// </summary>
    public static Task<AzuriteServer> StartWithOAuthAsync(TestCertificateAuthority ca, params string[] accounts) => StartAsync(ca, accounts);

    private static async Task<AzuriteServer> StartAsync(TestCertificateAuthority? ca, string[] accounts)
    {
        var directory = Directory.CreateTempSubdirectory("vd-azurite-").FullName;
        var port = FreePort();
        var keys = accounts.ToDictionary(a => a, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)), StringComparer.Ordinal);
        var start = new ProcessStartInfo(Executable() ?? throw new InvalidOperationException("azurite-blob is not installed (npm install -g azurite)"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", directory, "--silent", "--disableProductStyleUrl" })
        {
            start.ArgumentList.Add(arg);
        }

        if (ca is not null)
        {
            var (certificate, key) = ca.WriteServerPem(directory);
            foreach (var arg in new[] { "--cert", certificate, "--key", key, "--oauth", "basic" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.Environment["AZURITE_ACCOUNTS"] = string.Join(';', keys.Select(k => $"{k.Key}:{k.Value}"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start azurite-blob");
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var server = new AzuriteServer(process, directory, port, keys, ca is null ? "http" : "https");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port).WithTimeout();
                if (ca is null)
                {
                    server._stamp = await BlobServiceProxy.StartAsync(new Uri($"http://127.0.0.1:{port}/"), Path.Join(directory, "stamp"), new AzureStackBlobLimits()).WithTimeout();
                }

                return server;
            }
            catch (SocketException)
            {
                if (process.HasExited || DateTimeOffset.UtcNow > deadline)
                {
                    await server.DisposeAsync().WithTimeout();
                    throw new InvalidOperationException("Azurite did not listen within 120 s");
                }

                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stamp is not null)
        {
            await _stamp.DisposeAsync().WithTimeout();
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WithTimeout();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string? Executable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Join(directory, "azurite-blob"))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        Skip = AzuriteServer.MissingReason;
    }
}

/// <summary>A theory that needs Azurite and what the lifecycle tests need (root, loop devices, the published binary).</summary>
public sealed class AzuriteLifecycleTheoryAttribute : TheoryAttribute
{
    public AzuriteLifecycleTheoryAttribute()
    {
        Skip = AzuriteServer.MissingReason ?? new Contract.LifecycleFactAttribute().Skip;
    }
}

/// <summary>A binary lifecycle fact that needs Azurite: skipped, saying why, when either is missing.</summary>
public sealed class AzuriteLifecycleFactAttribute : FactAttribute
{
    public AzuriteLifecycleFactAttribute()
    {
        Skip = AzuriteServer.MissingReason ?? new Contract.LifecycleFactAttribute().Skip;
    }
}
