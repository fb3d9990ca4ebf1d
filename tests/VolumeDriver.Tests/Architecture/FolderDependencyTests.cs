using VolumeDriver.Tests.Configuration;

namespace VolumeDriver.Tests.Architecture;

/// <summary>
/// The architecture, checked rather than described: every file under src/VolumeDriver belongs to the
/// top-level folder it sits in (its namespace says so too), and may refer only to the folders the
/// table below allows its folder. A new folder fails until it is placed in the table.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>
    /// Which folders each folder may use; everything else is an edge the wrong way. Bottom to top:
    /// <list type="bullet">
    /// <item>Errors and Domain are the vocabulary every layer speaks: exceptions, value types, and the
    /// few contracts two layers beside each other share (option keys, doctor's check, the node side's
    /// one cloud query, IVmDiskLayoutSource). They depend on nothing of ours but each other's errors.</item>
    /// <item>Host is what the machine offers (processes, mountinfo, loop devices, files). Configuration reads
    /// the YAML; Logging opens the log file. CloudCalls is the kit every cloud client calls through.</item>
    /// <item>Node and Backends sit beside each other and never meet: the node finds, formats and mounts
    /// devices and never calls a cloud; a backend talks to its cloud and never looks at a device (its
    /// attach may run on the controller). Locking (per-VM locks, flock or etcd) is below Backends.</item>
    /// <item>Kubernetes is the API client the provisioner runs on (models, kubeconfig, watch, leader
    /// election); like a cloud client it sits on the CloudCalls kit and knows no backend.</item>
    /// <item>Modules puts one backend's cloud side and node side together; only it knows both.</item>
    /// <item>FlexVolume is the kubelet protocol over the parts (it never knows which backend);
    /// Diagnostics is doctor and Installation is install. Cli parses arguments and prints replies.</item>
    /// <item>Provisioning is the provisioner mode's controller: it reads the Kubernetes API and reaches
    /// backends only through their modules (the module's provisioning profile and its ICloudDisk).</item>
    /// <item>The composition root (Program.cs, Composition.cs) creates everything, so it may use everything.</item>
    /// </list>
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Errors"] = [],
        ["Domain"] = ["Errors"],
        ["Host"] = ["Domain", "Errors"],
        ["CloudCalls"] = ["Domain", "Errors"],
        ["Configuration"] = ["Host", "Domain", "Errors"],
        ["Logging"] = ["Configuration", "Host", "Domain", "Errors"],
        ["Locking"] = ["CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Kubernetes"] = ["CloudCalls", "Host", "Domain", "Errors"],
        ["Node"] = ["Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Backends"] = ["Locking", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Modules"] = ["Backends", "Node", "Locking", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["FlexVolume"] = ["Backends", "Node", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Diagnostics"] = ["Locking", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Installation"] = ["Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Cli"] = ["FlexVolume", "Diagnostics", "Installation", "Backends", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Provisioning"] = ["Kubernetes", "Modules", "FlexVolume", "Backends", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
        ["Properties"] = [],
        [FolderReferences.Root] = ["Provisioning", "Cli", "FlexVolume", "Diagnostics", "Installation", "Modules", "Backends", "Node", "Locking", "Kubernetes", "CloudCalls", "Logging", "Configuration", "Host", "Domain", "Errors"],
    };

    private static readonly string SourceRoot = Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "src", "VolumeDriver");

    [Fact]
    public void EverySourceFile_RefersOnlyToTheFoldersItsFolderMayUse()
    {
        var files = SourceFiles();
        var typesByFolder = files
            .GroupBy(f => f.Folder)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.SelectMany(f => FolderReferences.DeclaredTypes(f.Text)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var wrong = new List<string>();
        foreach (var file in files)
        {
            if (!Allowed.TryGetValue(file.Folder, out var allowed))
            {
                wrong.Add($"{file.Path}: folder {file.Folder} is not in the table of allowed edges; place it there, with the folders it may use");
                continue;
            }

            foreach (var reference in FolderReferences.In(file.Text, typesByFolder).Where(r => r.Folder != file.Folder && !allowed.Contains(r.Folder)))
            {
                wrong.Add($"{file.Path}: {file.Folder} -> {reference.Folder} ({reference.Text})");
            }
        }

        Assert.True(files.Count > 100, $"only {files.Count} source files found under {SourceRoot}");
        Assert.True(wrong.Count == 0, "edges that run the wrong way:\n" + string.Join('\n', wrong.Distinct()));
    }

    [Fact]
    public void EverySourceFile_DeclaresTheNamespaceOfItsFolder()
    {
        var wrong = SourceFiles()
            .Where(f => FolderReferences.DeclaredNamespace(f.Text) is { } declared
                && !(f.Folder == FolderReferences.Root ? declared == "VolumeDriver" : declared == "VolumeDriver." + f.Folder || declared.StartsWith("VolumeDriver." + f.Folder + ".", StringComparison.Ordinal)))
            .Select(f => $"{f.Path}: namespace {FolderReferences.DeclaredNamespace(f.Text)} is not that of folder {f.Folder}")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void EverySourceFile_DeclaresOneTopLevelType_NamedAfterIt()
    {
        var wrong = new List<string>();
        foreach (var file in SourceFiles())
        {
            var types = FolderReferences.TopLevelTypes(file.Text).ToList();
            var name = System.IO.Path.GetFileNameWithoutExtension(file.Path).Split('.')[0];
            if (types.Count > 1 || (types.Count == 1 && types[0] != name))
            {
                wrong.Add($"{file.Path}: declares {string.Join(", ", types)}");
            }
        }

        Assert.True(wrong.Count == 0, "one top-level type per file, named after it (Type.cs, or Type.Concern.cs for a partial):\n" + string.Join('\n', wrong));
    }

    [Theory]
    [InlineData("using VolumeDriver.Node;\nnamespace VolumeDriver.Backends;", "Node")]
    [InlineData("namespace VolumeDriver.Backends.Azure;\nclass A { string M() => $\"{FlexVolume.OptionKeys.Size}\"; }", "FlexVolume")]
    [InlineData("namespace VolumeDriver.Backends;\nclass A { object M() => new global::VolumeDriver.Diagnostics.DoctorCheck(); }", "Diagnostics")]
    [InlineData("namespace VolumeDriver.Backends;\nclass A { object M() => Composition.Create(); }", FolderReferences.Root)]
    public void References_FindEachFormOfReference(string source, string folder)
    {
        var types = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            ["FlexVolume"] = new HashSet<string> { "OptionKeys" },
            [FolderReferences.Root] = new HashSet<string> { "Composition" },
        };

        Assert.Contains(folder, FolderReferences.In(source, types).Select(r => r.Folder));
    }

    [Theory]
    [InlineData("namespace VolumeDriver.Backends;\n// uses FlexVolume.OptionKeys.Size and VolumeDriver.Node.X\nclass A { }")]
    [InlineData("namespace VolumeDriver.Backends;\n/// <see cref=\"VolumeDriver.Node.IDeviceResolver\"/>\nclass A { }")]
    [InlineData("namespace VolumeDriver.Backends;\nclass A { int M(B target) => target.Node.Value + Node.Value; }")]
    public void References_IgnoreCommentsAndMembersNamedLikeAFolder(string source)
    {
        var types = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            ["FlexVolume"] = new HashSet<string> { "OptionKeys" },
            ["Node"] = new HashSet<string> { "IDeviceResolver" },
        };

        Assert.Empty(FolderReferences.In(source, types));
    }

    private static List<SourceFile> SourceFiles() =>
        Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(SourceRoot, path))
            .Where(relative => !relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(relative => new SourceFile(
                "src/VolumeDriver/" + relative.Replace(Path.DirectorySeparatorChar, '/'),
                relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : FolderReferences.Root,
                File.ReadAllText(Path.Join(SourceRoot, relative))))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    private sealed record SourceFile(string Path, string Folder, string Text);
}
