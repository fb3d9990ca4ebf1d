using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Arm;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.Locking;
using VolumeDriver.Modules;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// An Azure Stack Hub for backend tests: the ARM double (a service principal with a test secret) and,
/// when asked for accounts, real Azurite whose keys the double hands out and whose endpoints its
/// storage accounts report, plus the azure.json and environment file that point the driver at them.
/// </summary>
internal sealed class AzureStackTestBed : IAsyncDisposable
{
    public const string Client = "11111111-0000-0000-0000-0000000000ff";

    private AzureStackTestBed(string directory, ArmSimulator arm, AzuriteServer? azurite)
    {
        Directory = directory;
        Arm = arm;
        Azurite = azurite;
    }

    public string Directory { get; }

    public ArmSimulator Arm { get; }

    /// <summary>Null when no Azurite accounts were asked for, or Azurite is not installed here.</summary>
    public AzuriteServer? Azurite { get; }

    /// <param name="azuriteAccounts">Storage accounts Azurite serves (started only when there are some and Azurite is installed).</param>
    public static async Task<AzureStackTestBed> StartAsync(Func<ArmSimulatorOptions, ArmSimulatorOptions>? configure = null, params string[] azuriteAccounts)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vd-azure-stack-").FullName;
        var azurite = azuriteAccounts.Length > 0 && AzuriteServer.MissingReason is null ? await AzuriteServer.StartAsync(azuriteAccounts).WithTimeout() : null;
        var options = new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            OperationTime = TimeSpan.FromMilliseconds(100),
            RetryAfterSeconds = 0,
            BlobEndpointTemplate = azurite?.EndpointTemplate ?? "https://{account}.blob.core.windows.net/",
            StorageAccountKeys = azurite?.Keys ?? new Dictionary<string, string>(),
            AzureStackStorage = true,
        };
        var arm = await ArmSimulator.StartAsync(configure is null ? options : configure(options)).WithTimeout();
        return new AzureStackTestBed(directory, arm, azurite);
    }

    /// <summary>The driver's Azure configuration for one node (its own state directory), with azure.json written for the double.</summary>
    public AzureConfiguration Configuration(string node = "node-1", TimeSpan? drainWait = null, string vmType = "standard")
    {
        var azureJson = Path.Join(Directory, node + "-azure.json");
        File.WriteAllText(azureJson, $$"""
            {"cloud":"AzureStackCloud","vmType":"{{vmType}}","tenantId":"{{Arm.Options.TenantId}}","subscriptionId":"{{Arm.Options.SubscriptionId}}",
             "resourceGroup":"{{Arm.Options.ResourceGroup}}","location":"{{Arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        return new AzureConfiguration(azureJson, Arm.CaCertificatePemPath, Path.Join(Directory, node, "state"), drainWait ?? TimeSpan.FromSeconds(1));
    }

    /// <summary>The SDK clients the driver would build from <paramref name="configuration"/>, their retries waiting on <paramref name="time"/> (the system clock by default).</summary>
    public AzureClients Clients(AzureConfiguration configuration, TimeProvider? time = null)
    {
        var environmentFile = Arm.WriteEnvironmentFile();
        return AzureClients.Create(configuration, name => name == AzureEnvironment.EnvironmentFileVariable ? environmentFile : null, time ?? TimeProvider.System);
    }

    /// <summary>The Azure backend as one driver process on <paramref name="node"/> builds it: its own state directory, the bed's lock files.</summary>
    /// <param name="time">The clock its retries and waits run on (the system clock by default); the lock files keep the system clock.</param>
    internal AzureDiskBackend Backend(string node = "node-1", TimeSpan? drainWait = null, TimeProvider? time = null) => Parts(node, drainWait, time).Disk;

    /// <summary>The Azure backend and its migrate-vhd, as the driver's Azure module builds them.</summary>
    internal (AzureDiskBackend Disk, VhdMigration Migration) Parts(string node = "node-1", TimeSpan? drainWait = null, TimeProvider? time = null)
    {
        var configuration = Configuration(node, drainWait);
        var locks = new FileVmLockProvider(Path.Join(Directory, "locks"), TimeProvider.System, NullLogger<FileVmLockProvider>.Instance);
        return AzureModule.CreateBackend(Clients(configuration, time), configuration, locks, TimeSpan.FromMinutes(1), nodeLocalLocks: true, time ?? TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>The name of pool account <paramref name="number"/> of <paramref name="sku"/> for the double's default subscription and resource group.</summary>
    public static string PoolAccount(string sku, int number = 1)
    {
        var defaults = new ArmSimulatorOptions();
        return StorageAccountPool.AccountName(StorageAccountPool.Prefix(defaults.SubscriptionId, defaults.ResourceGroup), sku, number);
    }

    public async ValueTask DisposeAsync()
    {
        await Arm.DisposeAsync().WithTimeout();
        if (Azurite is not null)
        {
            await Azurite.DisposeAsync().WithTimeout();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
