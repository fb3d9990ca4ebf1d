namespace VolumeDriver.Tests.TestSupport;

/// <summary>The theory twin of <see cref="LinuxRootFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxRootTheoryAttribute : TheoryAttribute
{
    public LinuxRootTheoryAttribute(params string[] tools)
    {
        Skip = HostPrerequisites.MissingReason(tools);
    }
}
