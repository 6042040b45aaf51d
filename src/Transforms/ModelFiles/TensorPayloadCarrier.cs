using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace MLNetExtensions.Transforms.ModelFiles;

/// <summary>
/// Stands in for a component of this project inside ML.NET's part of a model file. ML.NET lets an
/// external assembly save only through <c>CustomMapping</c>, whose file entry holds nothing but a
/// contract name; the component's real state is written beside it by
/// <see cref="TensorModelFile"/>, which swaps the stand-ins back for real transformers on load.
/// The contract name says which call to use, because ML.NET quotes it when it cannot resolve it.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class TensorPayloadCarrier : CustomMappingFactory<TensorPayloadCarrier.Row, TensorPayloadCarrier.Row>
{
    /// <summary>The contract name written into the model file.</summary>
    public const string ContractName = "MLNetExtensions component: load this model with mlContext.Model.LoadWithTensors";

    [ThreadStatic]
    private static int? _componentsHandedOut;

    /// <summary>An empty row: the stand-in reads and writes no columns.</summary>
    public sealed class Row
    {
    }

    /// <inheritdoc />
    public override Action<Row, Row> GetMapping()
    {
        if (_componentsHandedOut is null)
        {
            throw new InvalidOperationException(
                "This model file contains MLNetExtensions components whose tensors ML.NET's Model.Load cannot read. Load it with mlContext.Model.LoadWithTensors(path, out schema).");
        }

        _componentsHandedOut++;
        return static (_, _) => throw new InvalidOperationException("An MLNetExtensions stand-in was used before it was replaced; load the model with mlContext.Model.LoadWithTensors.");
    }

    /// <summary>Creates a stand-in that saves in place of one of our components.</summary>
    internal static ITransformer CreateStandIn(MLContext mlContext)
    {
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<Row>());
        return mlContext.Transforms.CustomMapping<Row, Row>(static (_, _) => { }, ContractName).Fit(empty);
    }

    /// <summary>Within this scope, ML.NET's loader may create stand-ins on this thread.</summary>
    internal static IDisposable BeginLoading()
    {
        _componentsHandedOut = 0;
        return new LoadingScope();
    }

    private sealed class LoadingScope : IDisposable
    {
        public void Dispose() => _componentsHandedOut = null;
    }
}
