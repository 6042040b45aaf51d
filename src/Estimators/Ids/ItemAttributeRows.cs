using Microsoft.ML;
using MLNetExtensions.Transforms.DataView;
using MLNetExtensions.Transforms.Ids;

namespace MLNetExtensions.Estimators.Ids;

/// <summary>
/// Reads the item table: for each item, one ID (or null) per attribute column. When an item has several rows, the first
/// row wins (later ones are counted and reported, not merged).
/// </summary>
internal static class ItemAttributeRows
{
    /// <summary>The rows by item, in first-appearance order, and how many duplicate rows were ignored.</summary>
    public static (List<(string Item, string?[] Ids)> Rows, int DuplicatesIgnored) Read(IDataView table, IdEmbeddingOptions options)
    {
        IdColumn.Check(table.Schema, options.ItemColumnName, nameof(options.ItemColumnName), "ItemAttributes");
        foreach (var attribute in options.AttributeColumns)
        {
            IdColumn.Check(table.Schema, attribute.Name, nameof(options.AttributeColumns), "ItemAttributes");
        }

        var names = new[] { options.ItemColumnName }.Concat(options.AttributeColumns.Select(a => a.Name)).ToArray();
        var rows = new List<(string, string?[])>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0;
        using var cursor = table.GetRowCursor(names.Select(n => table.Schema[n]));
        var item = IdColumn.Reader(cursor, options.ItemColumnName);
        var attributes = options.AttributeColumns.Select(a => IdColumn.Reader(cursor, a.Name)).ToArray();
        while (cursor.MoveNext())
        {
            string? id = item();
            if (id is null)
            {
                continue;
            }

            if (!seen.Add(id))
            {
                duplicates++;
                continue;
            }

            rows.Add((id, attributes.Select(a => a()).ToArray()));
        }

        return (rows, duplicates);
    }
}
