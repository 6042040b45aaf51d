namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// One line of a data file together with its 1-based line number, used to point at the exact place of a
/// format error.
/// </summary>
/// <param name="Number">The 1-based line number in the (decompressed) file.</param>
/// <param name="Text">The line without its line terminator.</param>
internal readonly record struct NumberedLine(int Number, string Text);
