using MLNetExtensions.Build;

namespace MLNetExtensions.Tests.Foundation;

/// <summary>The build-time patch that lets libLibTorchSharp.so load on hosts without GLIBCXX_3.4.32.</summary>
public sealed class ElfVersionPatcherTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private readonly string _directory = Directory.CreateTempSubdirectory("elf-patch-").FullName;

    [Fact]
    public void Weakening_TheShippedLibrary_IsIdempotentAndChangesOnlyTheFlag()
    {
        string original = FindPackagedBridge();
        string copy = Path.Combine(_directory, "libLibTorchSharp.so");
        File.Copy(original, copy);
        ElfVersionPatcher.HasStrongRequirement(copy, Version).Should().BeTrue("the package ships the library with a hard GLIBCXX_3.4.32 requirement");

        ElfVersionPatcher.WeakenVersionRequirement(copy, Version).Should().Be(ElfPatchResult.Patched);
        ElfVersionPatcher.HasStrongRequirement(copy, Version).Should().BeFalse();
        byte[] once = File.ReadAllBytes(copy);

        ElfVersionPatcher.WeakenVersionRequirement(copy, Version).Should().Be(ElfPatchResult.AlreadyWeak);
        File.ReadAllBytes(copy).Should().Equal(once);

        byte[] before = File.ReadAllBytes(original);
        once.Length.Should().Be(before.Length);
        Enumerable.Range(0, before.Length).Count(i => before[i] != once[i]).Should().Be(1, "only one vna_flags byte changes");
    }

    [Fact]
    public void TheBuiltTestOutput_CarriesThePatchedLibrary_WhereTheHostNeedsIt()
    {
        string built = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        File.Exists(built).Should().BeTrue();
        if (ElfVersionPatcher.HostLibStdCxxDefines(Version))
        {
            File.ReadAllBytes(built).Should().Equal(File.ReadAllBytes(FindPackagedBridge()), "a host that has the version needs no patch");
        }
        else
        {
            ElfVersionPatcher.HasStrongRequirement(built, Version).Should().BeFalse("the build must weaken the requirement this host cannot meet");
        }
    }

    [Fact]
    public void AVersionTheFileDoesNotRequire_IsLeftAlone()
    {
        string copy = Path.Combine(_directory, "lib.so");
        File.Copy(FindPackagedBridge(), copy);
        ElfVersionPatcher.WeakenVersionRequirement(copy, "GLIBCXX_9.9.99").Should().Be(ElfPatchResult.NotRequired);
        File.ReadAllBytes(copy).Should().Equal(File.ReadAllBytes(FindPackagedBridge()));
    }

    [Fact]
    public void ANonElfFile_GivesAClearError()
    {
        string path = Path.Combine(_directory, "not-elf.so");
        File.WriteAllText(path, "this is not a shared library");
        var act = () => ElfVersionPatcher.WeakenVersionRequirement(path, Version);
        act.Should().Throw<InvalidDataException>().WithMessage("*not an ELF file*");
    }

    [Fact]
    public void ATruncatedElfFile_GivesAClearError()
    {
        string path = Path.Combine(_directory, "truncated.so");
        File.WriteAllBytes(path, File.ReadAllBytes(FindPackagedBridge()).Take(4096).ToArray());
        var act = () => ElfVersionPatcher.WeakenVersionRequirement(path, Version);
        act.Should().Throw<InvalidDataException>().WithMessage("*truncated or malformed*");
    }

    private static string FindPackagedBridge()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        File.Exists(path).Should().BeTrue($"the TorchSharp package should be restored at {path}");
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
