using MLNetExtensions.Estimators.Bert;
using MLNetExtensions.Estimators.Training;
using Spectre.Console;

namespace MLNetExtensions.Samples.Console;

/// <summary>Shows staged pre-training (or any engine run) as Spectre.Console progress bars, one per stage.</summary>
internal static class StagedProgressBar
{
    /// <summary>Runs <paramref name="work"/> with a progress display fed by the progress object it receives.</summary>
    public static T Run<T>(string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!Estimators.Training.Distributed.DataParallelEnvironment.IsLeader)
        {
            // Data-parallel: rank 0 shows the job's progress; the other ranks' bars would only repeat it.
            return work(new Progress<TrainingProgress>());
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
                    // A report without a stage comes from a single run: shown as a plan of one stage.
                    var stage = report.Stage ?? new TrainingStagePosition(0, 1, "training", 0, report.TotalSteps);
                    if (!tasks.TryGetValue(stage.Index, out var task))
                    {
                        task = context.AddTask($"{title} · {stage.Name} ({stage.Index + 1}/{stage.Count})", maxValue: Math.Max(1, report.TotalSteps));
                        tasks[stage.Index] = task;
                    }

                    task.Value = report.Step;
                    if (report.Kind == TrainingProgressKind.Step)
                    {
                        task.Description = $"{title} · {stage.Name} ({stage.Index + 1}/{stage.Count}) loss {report.AverageLoss:F3}";
                    }

                    if (report.Kind == TrainingProgressKind.Finished)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                        if (!AnsiConsole.Profile.Capabilities.Interactive)
                        {
                            // Redirected output gets Spectre's line-based fallback, which prints milestones up to 99 % and
                            // skips finished tasks, so a log would end below 100 %: say where the run ended instead.
                            AnsiConsole.MarkupLineInterpolated($"{task.Description}: finished after {report.Step} of {report.TotalSteps} steps");
                        }
                    }
                });
                result = work(progress);
            });
        return result;
    }

    /// <summary>Adapts a plain engine progress (one run) to the staged display.</summary>
    public static IProgress<TrainingProgress> ForSingleRun(IProgress<TrainingProgress> staged, string name) =>
        new Reporter(report => staged.Report(report with { Stage = new TrainingStagePosition(0, 1, name, 0, report.TotalSteps) }));

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
