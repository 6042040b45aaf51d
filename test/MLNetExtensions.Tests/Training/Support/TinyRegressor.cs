using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Training.Support;

/// <summary>A two-layer perceptron with dropout: small enough for hundreds of steps per second.</summary>
public sealed class TinyRegressor : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Dropout drop;
    private readonly Linear fc2;

    /// <summary>Creates the model; weights come from torch's global generator, seeded with <paramref name="initSeed"/>.</summary>
    public TinyRegressor(int hidden = 16, double dropout = 0.1, long initSeed = 1)
        : base(nameof(TinyRegressor))
    {
        torch.manual_seed(initSeed).Dispose();
        fc1 = nn.Linear(RegressionData.FeatureCount, hidden);
        drop = nn.Dropout(dropout);
        fc2 = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    /// <summary>The first layer.</summary>
    public Linear First => fc1;

    /// <summary>The output layer.</summary>
    public Linear Output => fc2;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return fc2.forward(drop.forward(nn.functional.relu(fc1.forward(input)))).squeeze(-1).MoveToOuterDisposeScope();
    }
}
