using System.Globalization;
using Simulators;
using Simulators.VCloud;

// The doubles on their own, for smoke tests:
//   dotnet run --project tests/Simulators -- vcloud [--port N] [--state-dir DIR]
//   dotnet run --project tests/Simulators -- hold-etcd-lock <client-url> <lock-name> <ttl-seconds>
//   dotnet run --project tests/Simulators -- bench-doubles <dir>   (ARM and vCD for scripts/bench.py)
switch (args)
{
    case ["vcloud", .. var rest]:
        if (!TryParseVCloud(rest, out var port, out var stateDirectory))
        {
            return Usage();
        }

        var options = stateDirectory is null ? new VCloudSimulatorOptions() : new VCloudSimulatorOptions { StateDirectory = Path.GetFullPath(stateDirectory) };
        await using (var simulator = await VCloudDirectorSimulator.StartAsync(options, port))
        {
            Console.WriteLine(simulator.BaseUri);
            Console.WriteLine($"vCloud Director double: org {options.Org}, vdc {options.Vdc}, users {string.Join(", ", options.Users.Keys.Select(u => u + "@" + options.Org))}, VMs {string.Join(", ", options.Vms.Select(v => v.Name))}, CA {simulator.CaCertificatePemPath}; Ctrl-C stops it");
            var stopped = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stopped.TrySetResult();
            };
            await stopped.Task;
        }

        return 0;
    case ["bench-doubles", var directory]:
        return await BenchDoubles.RunAsync(directory);
    case ["hold-etcd-lock", var url, var name, var ttl]:
        return await EtcdLockHolder.RunAsync(new Uri(url), name, EtcdLockHolder.ParseTtl(ttl));
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Simulators vcloud [--port N] [--state-dir DIR] | hold-etcd-lock <client-url> <lock-name> <ttl-seconds> | bench-doubles <dir>");
    return 2;
}

static bool TryParseVCloud(string[] arguments, out int port, out string? stateDirectory)
{
    port = 0;
    stateDirectory = null;
    for (var i = 0; i < arguments.Length; i++)
    {
        switch (arguments[i])
        {
            case "--port" when i + 1 < arguments.Length && int.TryParse(arguments[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out port):
                i++;
                break;
            case "--state-dir" when i + 1 < arguments.Length:
                stateDirectory = arguments[++i];
                break;
            default:
                return false;
        }
    }

    return true;
}
