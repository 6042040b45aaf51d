using MLNetExtensions.Estimators.Training;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Tests.Training.Support;

namespace MLNetExtensions.Tests.Training;

/// <summary>Bad checkpoints are refused with messages that say what is wrong.</summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class CheckpointFileTests
{
    private static TrainingOptions Options => TrainingFixtures.Options with { Epochs = 1 };

    private static string WriteCheckpoint(string name, int hidden = 16)
    {
        string path = Path.Combine(TrainingFixtures.TempDirectory(), name);
        new EngineHarness(hidden: hidden).Train(Options with { CheckpointPath = path });
        return path;
    }

    [Fact]
    public void Checkpoint_HoldsWeightsOptimizerStateRngPositionAndFingerprint()
    {
        string path = WriteCheckpoint("content.ckpt");

        using var checkpoint = TrainingCheckpoint.Load(path);

        checkpoint.FormatVersion.Should().Be(TrainingCheckpoint.CurrentFormatVersion);
        checkpoint.GlobalStep.Should().Be(8);
        checkpoint.TotalSteps.Should().Be(8);
        checkpoint.Epoch.Should().Be(1);
        checkpoint.BatchesInEpoch.Should().Be(0);
        checkpoint.ExamplesSeen.Should().Be(64);
        checkpoint.Seed.Should().Be(7);
        checkpoint.ModelTensors.Keys.Should().BeEquivalentTo("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
        checkpoint.OptimizerState.Should().HaveCount(4);
        checkpoint.OptimizerState["fc1.weight"].Step.Should().Be(8);
        checkpoint.OptimizerState["fc1.weight"].ExpAvg.shape.Should().Equal(16, 4);
        checkpoint.TorchRngState.Should().NotBeEmpty();
        checkpoint.OptionsFingerprint.Should().Contain("BatchSize=8").And.Contain("Seed=7").And.Contain("TotalSteps=8");
    }

    [Fact]
    public void CorruptedCheckpoint_IsRefused_WithInvalidDataException()
    {
        string path = WriteCheckpoint("corrupt.ckpt");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var load = () => TrainingCheckpoint.Load(path);
        var resume = () => new EngineHarness().Train(Options with { ResumeFromCheckpoint = path });

        load.Should().Throw<InvalidDataException>().WithMessage("*corrupted*checksum*");
        resume.Should().Throw<InvalidDataException>().WithMessage($"*{Path.GetFileName(path)}*");
    }

    [Fact]
    public void TheSeedOfACheckpoint_IsReadFromItsHeader_AndAnUnreadableHeaderGivesNone()
    {
        string path = WriteCheckpoint("seed.ckpt");
        CheckpointSerializer.TryReadSeed(path).Should().Be(7);

        // A header whose fingerprint length is not a 7-bit encoded integer (BinaryReader throws FormatException):
        // loading the file is what reports it, as malformed.
        var bytes = File.ReadAllBytes(path);
        const int fingerprintAt = 8 + sizeof(int);
        bytes.AsSpan(fingerprintAt, 5).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
        CheckpointSerializer.TryReadSeed(path).Should().BeNull();
        CheckpointSerializer.TryReadSeed(Path.Combine(TrainingFixtures.TempDirectory(), "missing.ckpt")).Should().BeNull();
    }

    [Fact]
    public void TruncatedCheckpoint_IsRefused_WithInvalidDataException()
    {
        string path = WriteCheckpoint("truncated.ckpt");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        string tiny = path + ".tiny";
        File.WriteAllBytes(tiny, bytes[..20]);

        ((Action)(() => TrainingCheckpoint.Load(path))).Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        ((Action)(() => TrainingCheckpoint.Load(tiny))).Should().Throw<InvalidDataException>().WithMessage("*truncated*");
    }

    [Fact]
    public void FileThatIsNotACheckpoint_IsRefused()
    {
        string path = Path.Combine(TrainingFixtures.TempDirectory(), "notes.txt");
        File.WriteAllText(path, "These are not the weights you are looking for; padding padding padding padding.");

        var load = () => TrainingCheckpoint.Load(path);

        load.Should().Throw<InvalidDataException>().WithMessage("*not a training checkpoint*");
    }

    [Fact]
    public void CheckpointOfADifferentModel_IsRefused_NamingTheTensor()
    {
        string path = WriteCheckpoint("other-model.ckpt", hidden: 16);

        var resume = () => new EngineHarness(hidden: 8).Train(Options with { ResumeFromCheckpoint = path });

        resume.Should().Throw<InvalidOperationException>().WithMessage("*'fc1.weight'*[16, 4]*[8, 4]*");
    }

    [Fact]
    public void CheckpointOfDifferentSettings_IsRefused_NamingTheSetting()
    {
        string path = WriteCheckpoint("other-settings.ckpt");

        var resume = () => new EngineHarness().Train(Options with { LearningRate = 0.5, ResumeFromCheckpoint = path });

        resume.Should().Throw<InvalidOperationException>().WithMessage("*LearningRate: checkpoint 0.01, now 0.5*");
    }
}
