using Simulators;
using Simulators.VCloud;

// The doubles on their own, for smoke tests:
//   dotnet run --project tests/Simulators -- vcloud [--port N]
//   dotnet run --project tests/Simulators -- hold-etcd-lock <client-url> <lock-name> <ttl-seconds>
switch (args)
{
    case ["vcloud", ..]:
        var port = args is [_, "--port", var p, ..] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 0;
        await using (var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions(), port))
        {
            Console.WriteLine($"vCloud Director double at {simulator.BaseUri} (org {simulator.Options.Org}, vdc {simulator.Options.Vdc}, CA {simulator.CaCertificatePemPath}); Ctrl-C stops it");
            var stopped = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stopped.TrySetResult();
            };
            await stopped.Task;
        }

        return 0;
    case ["hold-etcd-lock", var url, var name, var ttl]:
        return await EtcdLockHolder.RunAsync(new Uri(url), name, EtcdLockHolder.ParseTtl(ttl));
    default:
        await Console.Error.WriteLineAsync("usage: Simulators vcloud [--port N] | hold-etcd-lock <client-url> <lock-name> <ttl-seconds>");
        return 2;
}
