using Simulators.VCloud;

// Runs a double on its own for smoke tests: dotnet run --project tests/Simulators -- vcloud [--port N]
if (args.Length == 0 || args[0] != "vcloud")
{
    await Console.Error.WriteLineAsync("usage: Simulators vcloud [--port N]");
    return 2;
}

var port = args.Length >= 3 && args[1] == "--port" ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
await using var simulator = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions(), port);
Console.WriteLine($"vCloud Director double at {simulator.BaseUri} (org {simulator.Options.Org}, vdc {simulator.Options.Vdc}, CA {simulator.CaCertificatePemPath}); Ctrl-C stops it");
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopped.TrySetResult();
};
await stopped.Task;
return 0;
