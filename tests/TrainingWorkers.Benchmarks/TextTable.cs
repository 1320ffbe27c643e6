using System.Text;

namespace TrainingWorkers.Benchmarks;

/// <summary>A plain-text table with aligned columns: readable in a terminal, a CI log and a README.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers;

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != _headers.Length) throw new ArgumentException($"{cells.Length} cells for {_headers.Length} columns", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = _headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) => text.AppendLine("| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |");
        Line(_headers);
        text.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in _rows) Line(row);
        return text.ToString();
    }
}
