using Microsoft.ML;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>Row counts of data views that may not know theirs.</summary>
internal static class DataViewRowCount
{
    /// <summary>The view's own count when it has one, else a pass of a cursor over no columns.</summary>
    public static long Count(IDataView data)
    {
        if (data.GetRowCount() is long known)
        {
            return known;
        }

        long count = 0;
        using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
