namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>A benchmark fact: VOLUME_DRIVER_BENCH=1, and the provisioner end-to-end prerequisites.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvisionerBenchmarkFactAttribute : FactAttribute
{
    public ProvisionerBenchmarkFactAttribute()
    {
        Skip = Environment.GetEnvironmentVariable("VOLUME_DRIVER_BENCH") != "1"
            ? "a benchmark: run scripts/bench-provisioner.sh"
            : new ProvisionerFactAttribute().Skip;
    }
}
