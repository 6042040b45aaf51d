using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExtensions.Tests.Foundation;

/// <summary>TorchSharp's native bridge loads here (the build's ELF patch) and autograd is right.</summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void Backward_MatchesNumericalGradient()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var weights = randn(new long[] { 3, 4 }, dtype: float64, generator: generator).requires_grad_(true);
        var input = randn(new long[] { 5, 3 }, dtype: float64, generator: generator);

        Tensor Loss(Tensor w) => tanh(input.matmul(w)).pow(2).sum();

        Loss(weights).backward();
        var analytic = weights.grad!.clone();

        const double epsilon = 1e-6;
        var numeric = zeros_like(weights);
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    var plus = weights.clone();
                    plus[i, j] += epsilon;
                    var minus = weights.clone();
                    minus[i, j] -= epsilon;
                    numeric[i, j] = (Loss(plus) - Loss(minus)) / (2 * epsilon);
                }
            }
        }

        analytic.allclose(numeric, rtol: 1e-5, atol: 1e-7).Should().BeTrue();
        analytic.abs().sum().item<double>().Should().BeGreaterThan(0);
    }
}
