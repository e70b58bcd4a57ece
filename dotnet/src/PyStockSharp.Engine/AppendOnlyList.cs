using System.Collections;

namespace PyStockSharp.Engine;

/// <summary>
/// A list that only grows, stored in chunks of <see cref="ChunkSize"/> items: appending never copies what is there, and no
/// chunk of a struct of up to 160 bytes reaches the large object heap (85,000 bytes), so a run's own trades (80-byte
/// <see cref="MyTrade"/>s, thousands per run) cost neither the copies of a growing array nor the full collections large
/// objects bring on. Read through <see cref="IReadOnlyList{T}"/> (and the non-generic <see cref="ICollection"/>, which
/// pythonnet's <c>len()</c> reads).
/// </summary>
internal sealed class AppendOnlyList<T> : IReadOnlyList<T>, ICollection
{
    /// <summary>Items per chunk (a power of two).</summary>
    internal const int ChunkSize = 512;
    private const int Shift = 9;   // log2(ChunkSize)

    private T[][] _chunks = new T[4][];
    private int _count;

    public int Count => _count;

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index), index, $"index outside [0, {_count})");
            return _chunks[index >> Shift][index & (ChunkSize - 1)];
        }
    }

    /// <summary>Appends <paramref name="item"/> at index <see cref="Count"/>.</summary>
    internal void Add(in T item)
    {
        int chunk = _count >> Shift;
        if (chunk == _chunks.Length) Array.Resize(ref _chunks, 2 * chunk);
        var c = _chunks[chunk] ??= new T[ChunkSize];
        c[_count & (ChunkSize - 1)] = item;
        _count++;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return _chunks[i >> Shift][i & (ChunkSize - 1)];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => this;

    void ICollection.CopyTo(Array array, int index)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (int i = 0; i < _count; i++) array.SetValue(this[i], index + i);
    }
}
