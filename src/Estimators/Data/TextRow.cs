namespace MLNetExtensions.Estimators.Data;

/// <summary>A row of an ML.NET data view with a single <c>Text</c> column.</summary>
internal sealed class TextRow
{
    /// <summary>The text of the row: one sentence or line.</summary>
    public string Text { get; set; } = string.Empty;
}
