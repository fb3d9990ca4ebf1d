namespace VolumeDriver.Installation;

/// <summary>What installing one file did.</summary>
internal enum InstallChange
{
    /// <summary>The file did not exist and now does.</summary>
    Created,

    /// <summary>A file with other content (or another mode) was replaced.</summary>
    Replaced,

    /// <summary>The file already held exactly this content with this mode: nothing was written.</summary>
    Unchanged,
}
