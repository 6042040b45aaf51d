namespace MLNetExtensions.Estimators.Sweeps;

/// <summary>
/// The settings a sweep explores: fixed settings (everything not swept keeps its value there) and a dimension for
/// each swept setting. Each candidate is a copy of the fixed settings with one value per swept dimension, and its
/// plan is <see cref="ISweepSettings{TSettings}.BuildPlan"/>; combinations whose settings are invalid are skipped,
/// deterministically, with the reasons reported. <see cref="MsltSearchSpace"/> and <see cref="CoReSearchSpace"/>
/// are the spaces of the two staged methods; a subclass names its own dimensions in <see cref="Dimensions"/>.
/// </summary>
/// <typeparam name="TSettings">The settings each candidate holds.</typeparam>
public abstract class SearchSpace<TSettings>
    where TSettings : class, ISweepSettings<TSettings>
{
    /// <summary>A space around <paramref name="fixedSettings"/> (copied).</summary>
    /// <param name="fixedSettings">The settings every candidate starts from.</param>
    protected SearchSpace(TSettings fixedSettings)
    {
        ArgumentNullException.ThrowIfNull(fixedSettings);
        FixedSettings = fixedSettings.Clone();
    }

    /// <summary>The settings every candidate starts from (the space's own copy; changes apply to later proposals).</summary>
    public TSettings FixedSettings { get; }

    /// <summary>The names of the swept settings, in the order grid search nests them (the last varies fastest).</summary>
    public IReadOnlyList<string> SweptDimensions => Dimensions().Select(a => a.Name).ToArray();

    /// <summary>Each swept setting's dimension, described (e.g. <c>StartDepth: choice[2, 3]</c>).</summary>
    public IReadOnlyDictionary<string, string> Describe() => Dimensions().ToDictionary(a => a.Name, a => a.Description);

    /// <summary>The swept settings (those whose dimension is set), in nesting order.</summary>
    protected abstract IEnumerable<SweptSetting> Dimensions();

    /// <summary>Every valid combination of the dimensions' grid points, in nesting order, without repeats.</summary>
    internal CandidateSet<TSettings> Grid(int pointsPerRange)
    {
        var axes = Dimensions().ToArray();
        var points = axes.Select(a => a.Grid(pointsPerRange)).ToArray();
        var builder = new CandidateSetBuilder<TSettings>();
        var index = new int[axes.Length];
        while (true)
        {
            var settings = FixedSettings.Clone();
            for (int i = 0; i < axes.Length; i++)
            {
                axes[i].Apply(settings, points[i][index[i]]);
            }

            builder.Offer(settings);

            int axis = axes.Length - 1;
            while (axis >= 0 && ++index[axis] == points[axis].Count)
            {
                index[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                break;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct valid candidates drawn at random. Invalid draws and repeats are
    /// skipped; drawing stops early when a small space is exhausted (after a bounded number of draws).
    /// </summary>
    internal CandidateSet<TSettings> Sample(int count, int seed)
    {
        var axes = Dimensions().ToArray();
        var random = new SweepRandom(seed);
        var builder = new CandidateSetBuilder<TSettings>();
        long maxDraws = Math.Max(1_000L, 100L * count);
        for (long draw = 0; draw < maxDraws && builder.Count < count; draw++)
        {
            var settings = FixedSettings.Clone();
            foreach (var axis in axes)
            {
                axis.Apply(settings, axis.Sample(random));
            }

            builder.Offer(settings);
        }

        return builder.Build();
    }

    /// <summary>One swept setting: its name, its dimension and how a value is written into the settings.</summary>
    protected sealed class SweptSetting
    {
        private SweptSetting(string name, string description, Func<int, IReadOnlyList<object>> grid, Func<SweepRandom, object> sample, Action<TSettings, object> apply)
        {
            Name = name;
            Description = description;
            Grid = grid;
            Sample = sample;
            Apply = apply;
        }

        internal string Name { get; }

        internal string Description { get; }

        internal Func<int, IReadOnlyList<object>> Grid { get; }

        internal Func<SweepRandom, object> Sample { get; }

        internal Action<TSettings, object> Apply { get; }

        /// <summary>The setting <paramref name="name"/>, taking the values of <paramref name="dimension"/>, written by <paramref name="apply"/>.</summary>
        /// <param name="name">The name in reports; the settings' flat values should list it under the same name.</param>
        /// <param name="dimension">The values it may take.</param>
        /// <param name="apply">Writes a value into a candidate's settings.</param>
        /// <typeparam name="T">The setting's type.</typeparam>
        public static SweptSetting Of<T>(string name, SearchDimension<T> dimension, Action<TSettings, T> apply)
            where T : notnull =>
            new(name, dimension.Description, n => dimension.GridPoints(n).Select(v => (object)v).ToArray(), r => dimension.Sample(r), (s, v) => apply(s, (T)v));
    }
}
