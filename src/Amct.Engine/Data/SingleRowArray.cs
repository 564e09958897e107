namespace Amct.Engine.Data;

/// <summary>
/// A whole array seen as one row: the sample of an input fed whole (<see cref="ModelInput.Whole"/>) when the data
/// holds exactly one tensor shaped like the input, as an ONNX test data set does.
/// </summary>
internal sealed class SingleRowArray(RowArray whole)
    : RowArray(whole.Path, whole.Key, whole.Label, whole.ElementType, [1, .. whole.Shape])
{
    public override IRowReader OpenRows() => new Reader(whole);

    private sealed class Reader(RowArray whole) : IRowReader
    {
        private readonly IRowReader _rows = whole.OpenRows();

        /// <summary>Every row of the whole array back to back (a rank-0 array is one value, read as one row).</summary>
        public byte[] ReadRow()
        {
            if (whole.Shape.Count == 0)
            {
                return _rows.ReadRow();
            }
            using var bytes = new MemoryStream();
            for (long row = 0; row < whole.RowCount; row++)
            {
                bytes.Write(_rows.ReadRow());
            }
            return bytes.ToArray();
        }

        public void Dispose() => _rows.Dispose();
    }
}
