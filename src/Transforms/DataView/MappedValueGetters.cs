using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExtensions.Transforms.DataView;

/// <summary>Builds typed getters over the boxed values a <see cref="RowBatchComputer"/> holds.</summary>
internal static class MappedValueGetters
{
    private static readonly MethodInfo VectorGetterMethod = typeof(MappedValueGetters).GetMethod(nameof(VectorGetter), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ScalarGetterMethod = typeof(MappedValueGetters).GetMethod(nameof(ScalarGetter), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A getter for <paramref name="column"/> that reads the value <paramref name="value"/> returns.</summary>
    public static Delegate Create(MappedColumn column, Func<object> value)
    {
        if (column.Type is VectorDataViewType vector)
        {
            return (Delegate)VectorGetterMethod.MakeGenericMethod(vector.ItemType.RawType).Invoke(null, new object[] { value })!;
        }

        return (Delegate)ScalarGetterMethod.MakeGenericMethod(column.Type.RawType).Invoke(null, new object[] { value })!;
    }

    private static ValueGetter<VBuffer<T>> VectorGetter<T>(Func<object> value) =>
        (ref VBuffer<T> destination) =>
        {
            var source = (T[])value();
            var editor = VBufferEditor.Create(ref destination, source.Length);
            source.AsSpan().CopyTo(editor.Values);
            destination = editor.Commit();
        };

    private static ValueGetter<T> ScalarGetter<T>(Func<object> value) =>
        (ref T destination) => destination = (T)value();
}
