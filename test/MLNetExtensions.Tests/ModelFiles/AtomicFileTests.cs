using MLNetExtensions.Transforms.IO;

namespace MLNetExtensions.Tests.ModelFiles;

/// <summary>Atomic replacement of files: model files, exports and checkpoints are all written through it.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TwoWritesToOnePathAtOnce_BothComplete_AndLeaveOneWholeFile()
    {
        string path = Path.Combine(_directory, "model.zip");
        using var bothWriting = new Barrier(2);
        byte[] first = Enumerable.Repeat((byte)1, 1 << 20).ToArray();
        byte[] second = Enumerable.Repeat((byte)2, 1 << 20).ToArray();
        void Write(byte[] content) => AtomicFile.Write(path, stream =>
        {
            stream.Write(content, 0, content.Length / 2);
            bothWriting.SignalAndWait(TimeSpan.FromSeconds(10)).Should().BeTrue("both writes are under way at the same time");
            stream.Write(content, content.Length / 2, content.Length - (content.Length / 2));
        });

        await Task.WhenAll(Task.Run(() => Write(first)), Task.Run(() => Write(second)));

        var written = File.ReadAllBytes(path);
        (written.SequenceEqual(first) || written.SequenceEqual(second)).Should().BeTrue("the file is one write's content, whole");
        Directory.GetFiles(_directory).Should().Equal(new[] { path }, "no temp file is left");
    }

    [Fact]
    public void AFailedWrite_KeepsTheOldFile_AndLeavesNoTempFile()
    {
        string path = Path.Combine(_directory, "vectors.txt");
        File.WriteAllText(path, "old");

        var act = () => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 1, 2, 3 });
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>().WithMessage("disk full");
        File.ReadAllText(path).Should().Be("old");
        Directory.GetFiles(_directory).Should().Equal(new[] { path });
    }
}
