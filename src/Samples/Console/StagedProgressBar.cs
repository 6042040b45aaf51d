using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Training;
using Spectre.Console;

namespace MLNetExtensions.Samples.Console;

/// <summary>Shows staged pre-training (or any engine run) as Spectre.Console progress bars, one per stage.</summary>
internal static class StagedProgressBar
{
    /// <summary>Runs <paramref name="work"/> with a progress display fed by the progress object it receives.</summary>
    public static T Run<T>(string title, Func<IProgress<StagedTrainingProgress>, T> work)
    {
        if (!Estimators.Training.Distributed.DataParallelEnvironment.IsLeader)
        {
            // Data-parallel: rank 0 shows the job's progress; the other ranks' bars would only repeat it.
            return work(new Progress<StagedTrainingProgress>());
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<int, ProgressTask>();
                var progress = new Reporter(report =>
                {
                    if (!tasks.TryGetValue(report.StageIndex, out var task))
                    {
                        task = context.AddTask($"{title} · {report.StageName} ({report.StageIndex + 1}/{report.StageCount})", maxValue: Math.Max(1, report.Engine.TotalSteps));
                        tasks[report.StageIndex] = task;
                    }

                    task.Value = report.Engine.Step;
                    if (report.Engine.Kind == TrainingProgressKind.Step)
                    {
                        task.Description = $"{title} · {report.StageName} ({report.StageIndex + 1}/{report.StageCount}) loss {report.Engine.AverageLoss:F3}";
                    }

                    if (report.Engine.Kind == TrainingProgressKind.Finished)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                });
                result = work(progress);
            });
        return result;
    }

    /// <summary>Adapts a plain engine progress (one run) to the staged display.</summary>
    public static IProgress<TrainingProgress> ForSingleRun(IProgress<StagedTrainingProgress> staged, string name) =>
        new EngineReporter(report => staged.Report(new StagedTrainingProgress(0, 1, name, 0, report.TotalSteps, report)));

    private sealed class Reporter(Action<StagedTrainingProgress> report) : IProgress<StagedTrainingProgress>
    {
        public void Report(StagedTrainingProgress value) => report(value);
    }

    private sealed class EngineReporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
