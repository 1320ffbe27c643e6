using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>The last lines a rank wrote to stderr: what is known of a rank that died without reporting its error.</summary>
internal sealed class LastWords
{
    private const int Lines = 5;
    private const int LineLength = 300;
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        if (_lines.Count == Lines) _lines.Dequeue();
        _lines.Enqueue(FailureText.Bound(line.Trim(), LineLength));
    }

    /// <summary>The lines joined, or null when the rank said nothing.</summary>
    public string? Text => _lines.Count == 0 ? null : string.Join(" | ", _lines);
}
