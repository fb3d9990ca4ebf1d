using VolumeDriver.Host;

namespace VolumeDriver.Tests.Host;

/// <summary>Whether a configured file can be read, told before anything is opened (a FIFO would block the read).</summary>
public sealed class RegularFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("regular-file-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Problem_ForEachKindOfPath_SaysWhatIsWrong_OrNothing()
    {
        var file = Path.Join(_directory.FullName, "cert.pem");
        File.WriteAllText(file, "x");
        var link = Path.Join(_directory.FullName, "link.pem");
        File.CreateSymbolicLink(link, file);
        var fifo = Path.Join(_directory.FullName, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            Assert.True(mkfifo.WaitForExit(TimeSpan.FromSeconds(10)));
        }

        Assert.Null(RegularFile.Problem(file));
        Assert.Null(RegularFile.Problem(link));
        Assert.Equal("does not exist", RegularFile.Problem(Path.Join(_directory.FullName, "missing.pem")));
        Assert.StartsWith("does not exist", RegularFile.Problem(Path.Join(file, "below-a-file")), StringComparison.Ordinal);
        Assert.Equal("is a directory, not a file", RegularFile.Problem(_directory.FullName));
        Assert.StartsWith("is not a regular file", RegularFile.Problem("/dev/null"), StringComparison.Ordinal);
        Assert.StartsWith("is not a regular file", RegularFile.Problem(fifo), StringComparison.Ordinal);
    }
}
