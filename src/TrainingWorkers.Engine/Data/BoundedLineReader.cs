using System.Text;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Reads text lines of at most <see cref="MaxLineLength"/> characters: a file that is one endless line (or
/// a device) ends in an error naming the file and the line, not in all of the machine's memory.
/// </summary>
internal sealed class BoundedLineReader : IDisposable
{
    /// <summary>The longest line accepted: 1 Mi characters (a table of 10,000 wide numbers fits).</summary>
    public const int MaxLineLength = 1 << 20;
    private readonly StreamReader _reader;
    private readonly StringBuilder _line = new();
    private readonly string _path;
    private readonly string _field;

    public BoundedLineReader(Stream stream, string path, string field)
    {
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        _path = path;
        _field = field;
    }

    /// <summary>The 1-based number of the line last read.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line without its end (\n or \r\n), or null at the end of the file.</summary>
    public string? ReadLine()
    {
        _line.Clear();
        var any = false;
        while (true)
        {
            var c = _reader.Read();
            if (c < 0) break;
            any = true;
            if (c == '\n') break;
            if (_line.Length == MaxLineLength)
            {
                throw new JobInputException(_field, $"line {LineNumber + 1} is longer than {MaxLineLength} characters", $"{_path}:{LineNumber + 1}");
            }

            _line.Append((char)c);
        }

        if (!any) return null;
        LineNumber++;
        if (_line.Length > 0 && _line[^1] == '\r') _line.Length--;
        return _line.ToString();
    }

    public void Dispose() => _reader.Dispose();
}
