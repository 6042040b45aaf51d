using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNetExtensions.Estimators.FineTuning;
using MLNetExtensions.Tests.FineTuning;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.ModelFiles;

namespace MLNetExtensions.Tests.Packaging;

/// <summary>
/// The library as applications consume it: <c>dotnet pack</c> into a local folder, a console project outside the
/// repository that restores MLNetExtensions from that folder only (no repository build files, so the native-loading
/// fix must arrive through the package's <c>buildTransitive</c>), and a prediction from a saved model file.
/// </summary>
[Collection(TorchGlobalStateCollection.Name)]
public sealed class PackagedLibraryTests : IDisposable
{
    private const string ConsumerProgram = """
        using Microsoft.ML;
        using MLNetExtensions.Transforms.ModelFiles;

        var mlContext = new MLContext(seed: 0);
        var model = mlContext.Model.LoadWithTensors(args[0], out _);
        var engine = mlContext.Model.CreatePredictionEngine<Review, Prediction>(model);
        foreach (string text in File.ReadAllLines(args[1]))
        {
            Console.WriteLine(engine.Predict(new Review { Text = text }).Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        public sealed class Review { public string Text { get; set; } = ""; }
        public sealed class Prediction { public float Score { get; set; } }
        """;

    private readonly FineTuningTestData _data = new();
    private readonly string _work = Directory.CreateTempSubdirectory("packaged-").FullName;

    [Fact]
    public void AConsoleAppReferencingThePackedLibrary_LoadsAModelFileAndPredictsAsInProcess()
    {
        var mlContext = new MLContext(seed: 2);
        var data = mlContext.Data.LoadFromEnumerable(FineTuningTestData.Sentiment(32, seed: 3));
        using var model = mlContext.BinaryClassification.Trainers.BertClassifier(_data.Options(epochs: 1)).Fit(data);
        string modelPath = Path.Combine(_work, "model.zip");
        mlContext.Model.SaveWithTensors(model, data.Schema, modelPath);
        string[] texts = FineTuningTestData.Sentiment(6, seed: 9).Select(r => r.Text).ToArray();
        string textsPath = Path.Combine(_work, "texts.txt");
        File.WriteAllLines(textsPath, texts);
        var engine = mlContext.Model.CreatePredictionEngine<TextOnlyRow, BinaryPrediction>(model);
        string[] expected = texts.Select(t => engine.Predict(new TextOnlyRow { Text = t }).Score.ToString("R", CultureInfo.InvariantCulture)).ToArray();

        string feed = Path.Combine(_work, "feed");
        string repository = RepositoryRoot();
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        foreach (string project in new[] { "src/Transforms", "src/Estimators" })
        {
            Run(repository, "pack", project, "-c", configuration, "--no-build", "-o", feed);
        }

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should().BeEquivalentTo(
            new[] { "MLNetExtensions.Transforms.0.1.0.nupkg", "MLNetExtensions.Estimators.0.1.0.nupkg" });

        string consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MLNetExtensions.Estimators" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
        // MLNetExtensions comes from the packed folder only; its dependencies resolve from the packages this
        // machine already restored (a fallback folder, read-only), so the test needs no network.
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="restored" value="{GlobalPackagesFolder()}" />
              </fallbackPackageFolders>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_work, "packages")}" />
              </config>
            </configuration>
            """);

        Run(consumer, "build", "-c", "Release");
        string output = Run(consumer, "run", "-c", "Release", "--no-build", "--", modelPath, textsPath);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Should().Equal(expected);
        Directory.Exists(Path.Combine(_work, "packages", "mlnetextensions.estimators", "0.1.0")).Should().BeTrue("the package came from the packed folder");
    }

    public void Dispose()
    {
        _data.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MLNetExtensions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No MLNetExtensions.sln above {AppContext.BaseDirectory}.");
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables would point the child build at the test run's own MSBuild.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        return output;
    }
}
