using Apache.Arrow;
using Apache.Arrow.C;
using Apache.Arrow.Types;

namespace PyStockSharp.Engine;

/// <summary>Arrow helpers and the C Data Interface export used by Python's pyarrow.</summary>
public static class ArrowExport
{
    private static readonly TimestampType TsType = new(TimeUnit.Nanosecond, "UTC");

    /// <summary>
    /// Exports <paramref name="batch"/> into caller-allocated ArrowArray / ArrowSchema structs
    /// (e.g. pyarrow.cffi.ffi.new("struct ArrowArray*")); the importer owns the release callbacks.
    /// </summary>
    public static unsafe void Export(RecordBatch batch, IntPtr cArrayPtr, IntPtr cSchemaPtr)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (cArrayPtr == IntPtr.Zero || cSchemaPtr == IntPtr.Zero) throw new ArgumentException("null ArrowArray/ArrowSchema pointer");
        CArrowSchemaExporter.ExportSchema(batch.Schema, (CArrowSchema*)cSchemaPtr);
        CArrowArrayExporter.ExportRecordBatch(batch, (CArrowArray*)cArrayPtr);
    }

    /// <summary>Same as <see cref="Export(RecordBatch, IntPtr, IntPtr)"/> with pointers as integers (Python ints).</summary>
    public static void Export(RecordBatch batch, long cArrayAddress, long cSchemaAddress) =>
        Export(batch, new IntPtr(cArrayAddress), new IntPtr(cSchemaAddress));

    internal static RecordBatch Batch(int length, params (string Name, IArrowArray Array)[] cols)
    {
        var sb = new Schema.Builder();
        var arrays = new IArrowArray[cols.Length];
        for (int k = 0; k < cols.Length; k++)
        {
            sb.Field(new Field(cols[k].Name, cols[k].Array.Data.DataType, nullable: cols[k].Array.NullCount > 0 || cols[k].Array is StringArray));
            arrays[k] = cols[k].Array;
        }
        return new RecordBatch(sb.Build(), arrays, length);
    }

    private static ArrowBuffer Buf<T>(ReadOnlySpan<T> values) where T : struct =>
        new ArrowBuffer.Builder<T>(Math.Max(values.Length, 1)).Append(values).Build();

    public static TimestampArray Timestamp(long[] ns) => new(TsType, Buf<long>(ns), ArrowBuffer.Empty, ns.Length, 0, 0);
    public static DoubleArray Double(double[] v) => new(Buf<double>(v), ArrowBuffer.Empty, v.Length, 0, 0);
    public static Int64Array Int64(long[] v) => new(Buf<long>(v), ArrowBuffer.Empty, v.Length, 0, 0);
    public static Int32Array Int32(int[] v) => new(Buf<int>(v), ArrowBuffer.Empty, v.Length, 0, 0);
    public static Int8Array Int8(sbyte[] v) => new(Buf<sbyte>(v), ArrowBuffer.Empty, v.Length, 0, 0);
    public static StringArray Utf8(string?[] v)
    {
        var b = new StringArray.Builder();
        foreach (var s in v) { if (s is null) b.AppendNull(); else b.Append(s); }
        return b.Build();
    }
}
