using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExtensions.Estimators.Data;
using MLNetExtensions.Tests.TestSupport;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Text;

namespace MLNetExtensions.Tests.Text;

/// <summary>The WordPiece tokenizer as an ML.NET transform.</summary>
public sealed class WordPieceTokenizingTransformTests
{
    private readonly MLContext _mlContext = new(seed: 1);

    [Fact]
    public void Transform_AddsFixedLengthIdsMaskAndSegments()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new OptionalTextRow { Text = "unaffable" }, new OptionalTextRow { Text = null }, new OptionalTextRow { Text = "a 🙂 b" } });
        var model = _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 8).Fit(data);
        var output = model.Transform(data);

        output.Schema["TokenIds"].Type.Should().Be(new VectorDataViewType(NumberDataViewType.Int32, 8));
        var ids = output.GetColumn<int[]>("TokenIds").ToList();
        var masks = output.GetColumn<int[]>("AttentionMask").ToList();
        ids[0].Should().Equal(101, 14477, 20961, 3468, 102, 0, 0, 0);
        masks[0].Should().Equal(1, 1, 1, 1, 1, 0, 0, 0);
        ids[1].Should().Equal(101, 102, 0, 0, 0, 0, 0, 0);
        // Hugging Face gives [UNK] (100) for the emoji (data/tokenizer-golden/hard-strings.jsonl, "emoji 😀 test …"); Microsoft.ML.Tokenizers dropped it.
        ids[2].Take(5).Should().Equal(101, 1037, 100, 1038, 102);
        output.GetColumn<string>("Text").Should().Equal("unaffable", "", "a 🙂 b");
    }

    [Fact]
    public void ChangingTheOptionsAfterwards_ChangesNeitherTheEstimatorNorTheTransformer()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "hello world" } });
        var options = new WordPieceTokenizingOptions { VocabularyPath = ShippedData.BertVocabularyPath, InputColumnName = nameof(TextRow.Text), MaximumLength = 8 };
        var estimator = _mlContext.Transforms.Text.TokenizeIntoWordPieces(options);
        options.MaximumLength = 4;
        var model = estimator.Fit(data);
        options.MaximumLength = 16;
        model.Options.MaximumLength = 32;

        model.Options.MaximumLength.Should().Be(8);
        var output = model.Transform(data);
        output.Schema["TokenIds"].Type.Should().Be(new VectorDataViewType(NumberDataViewType.Int32, 8));
        output.GetColumn<int[]>("TokenIds").Single().Should().HaveCount(8);
    }

    [Fact]
    public void AnUnpairedSurrogate_NeitherStopsFitNorTransform()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "bad \uD800text" }, new TextRow { Text = "bad text" } });
        var model = _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 8).Fit(data);
        var ids = model.Transform(data).GetColumn<int[]>("TokenIds").ToList();
        ids[0].Should().Equal(ids[1], "the unpaired surrogate is read as U+FFFD, which cleaning drops");
    }

    [Fact]
    public void SentencePairs_GetSegmentIds()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextPairRow { Text = "hello", Second = "world" } });
        var model = _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 6, secondInputColumnName: "Second").Fit(data);
        var row = model.Transform(data);
        row.GetColumn<int[]>("SegmentIds").Single().Should().Equal(0, 0, 0, 1, 1, 0);
        row.GetColumn<int[]>("AttentionMask").Single().Should().Equal(1, 1, 1, 1, 1, 0);
    }

    [Fact]
    public void PredictionEngine_MatchesBatchedTransform()
    {
        var rows = Enumerable.Range(0, 70).Select(i => new TextRow { Text = $"sentence number {i} about café prices" }).ToArray();
        var data = _mlContext.Data.LoadFromEnumerable(rows);
        var model = _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 12).Fit(data);
        var batched = model.Transform(data).GetColumn<int[]>("TokenIds").ToList();
        var engine = _mlContext.Model.CreatePredictionEngine<TextRow, TokenizedRow>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            engine.Predict(rows[i]).TokenIds.Should().Equal(batched[i]);
        }
    }

    [Fact]
    public void AMissingColumn_IsNamed()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x" } });
        var act = () => _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, inputColumnName: "Review").Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Review'*not found*text column*");
    }

    [Fact]
    public void ANonTextColumn_IsNamedWithTheExpectedType()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new NumberRow { Value = 1 } });
        var act = () => _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, inputColumnName: "Value").Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Value'*must be text*Single*");
    }

    [Fact]
    public void AnEmptyDataView_IsRejectedNamingTheColumn()
    {
        var data = _mlContext.Data.LoadFromEnumerable(Array.Empty<TextRow>());
        var act = () => _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath).Fit(data);
        act.Should().Throw<ArgumentException>().WithMessage("*empty*'Text'*");
    }

    [Fact]
    public void ATooSmallMaximumLength_IsNamed()
    {
        var act = () => _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaximumLength*");
    }

    [Fact]
    public void EstimatorSchema_DeclaresTheOutputs()
    {
        var data = _mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x" } });
        var estimator = _mlContext.Transforms.Text.TokenizeIntoWordPieces(ShippedData.BertVocabularyPath, maximumLength: 16);
        var shape = estimator.GetOutputSchema(new SchemaShape(new[] { SchemaShapeColumns.Create("Text", TextDataViewType.Instance) }));
        shape.Select(c => c.Name).Should().Contain(new[] { "Text", "TokenIds", "AttentionMask", "SegmentIds" });
    }

    private sealed class NumberRow
    {
        public float Value { get; set; }
    }

    private sealed class TokenizedRow
    {
        [VectorType(12)]
        public int[] TokenIds { get; set; } = Array.Empty<int>();
    }
}
