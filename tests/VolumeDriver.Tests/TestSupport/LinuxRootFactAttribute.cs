namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A fact that needs the real Linux path: root, and the named tools on PATH. When a prerequisite is
/// missing the test is reported as skipped (with the reason), never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxRootFactAttribute : FactAttribute
{
    public LinuxRootFactAttribute(params string[] tools)
    {
        Skip = HostPrerequisites.MissingReason(tools);
    }
}
