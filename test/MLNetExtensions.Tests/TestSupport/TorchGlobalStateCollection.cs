namespace MLNetExtensions.Tests.TestSupport;

/// <summary>
/// Tests that touch torch's process-wide state (the global generator seeded by <c>torch.manual_seed</c>, the
/// intra-op thread count) run in this collection, one at a time and not alongside other collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalStateCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "TorchGlobalState";
}
