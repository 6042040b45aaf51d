using System.CommandLine;
using MLNetExtensions.Samples.Bench;

namespace MLNetExtensions.Samples.Commands;

/// <summary><c>bench NAME [--quick]</c>: runs a benchmark and writes artifacts/bench/NAME.json.</summary>
internal static class BenchCommand
{
    private static readonly Dictionary<string, Func<bool, int>> Benchmarks = new(StringComparer.Ordinal)
    {
        ["mslt"] = MsltBenchmark.Run,
        ["core"] = CoreBenchmark.Run,
        ["bert-base"] = BertBaseBenchmark.Run,
        ["bert-base-task-adaptive"] = BertBaseBenchmark.RunTaskAdaptive,
        ["bert-base-transfer-check"] = TransferCheckBenchmark.Run,
        ["ids"] = IdsBenchmark.Run,
        ["pretrained"] = PretrainedBenchmark.Run,
        ["prnn"] = PrnnBenchmark.Run,
        ["distributed"] = DistributedBenchmark.Run,
    };

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"The benchmark: {string.Join(", ", Benchmarks.Keys)}." };
        name.AcceptOnlyFromAmong(Benchmarks.Keys.ToArray());
        var quick = new Option<bool>("--quick") { Description = "A small version that runs in a few minutes." };
        var command = new Command("bench", "Run a benchmark; writes artifacts/bench/<name>.json (and a PNG).") { name, quick };
        command.SetAction(result => Benchmarks[result.GetValue(name)!](result.GetValue(quick)));
        return command;
    }
}
