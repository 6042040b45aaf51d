using MLNetExtensions.Estimators.Bert;
using ScottPlot;
using MLNetExtensions.Transforms.IO;

namespace MLNetExtensions.Samples.Reporting;

/// <summary>PNG figures of validation masked-LM loss against training time.</summary>
internal static class LossCurvePlot
{
    /// <summary>One line per run (e.g. baseline, MSLT, Progressive Stacking), stage boundaries marked.</summary>
    public static void Save(string path, string title, IReadOnlyList<(string Name, StagedTrainingReport Report)> runs)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("training time (s, validation excluded)");
        plot.YLabel("validation masked-LM loss");
        var palette = new ScottPlot.Palettes.Category10();
        for (int run = 0; run < runs.Count; run++)
        {
            var (name, report) = runs[run];
            var points = report.Validations.Where(v => double.IsFinite(v.Loss)).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => p.TrainingSeconds).ToArray(), points.Select(p => p.Loss).ToArray());
            line.LegendText = name;
            line.Color = palette.GetColor(run);
            var color = line.Color;
            double elapsed = 0;
            foreach (var stage in report.Stages.SkipLast(1))
            {
                elapsed += stage.TrainingSeconds;
                var marker = plot.Add.VerticalLine(elapsed);
                marker.Color = color.WithAlpha(0.35);
                marker.LinePattern = LinePattern.Dashed;
            }
        }

        plot.ShowLegend(Alignment.UpperRight);
        // Written whole or not at all, as the model files are.
        byte[] png = plot.GetImageBytes(900, 550, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
