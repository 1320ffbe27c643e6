using System.Text.Json;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// Appends each metric point as one JSON line: {"time","epoch","step","name","value","unit"}.
/// Each epoch's points (one <see cref="Publish"/>) are flushed at once, so that what follows the file (a tuner,
/// <c>tail -f</c>) sees every epoch when it ends.
/// </summary>
public sealed class JsonlMetricsSink : IMetricsSink
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public JsonlMetricsSink(string path)
    {
        Path = path;
        _writer = new StreamWriter(path, append: true);
    }

    public string Path { get; }

    public void Publish(IReadOnlyList<MetricPoint> points)
    {
        lock (_gate)
        {
            foreach (var p in points)
            {
                _writer.WriteLine(JsonSerializer.Serialize(new
                {
                    time = p.Timestamp,
                    epoch = p.Epoch,
                    step = p.Step,
                    name = p.Name,
                    value = double.IsFinite(p.Value) ? p.Value : (double?)null,
                    unit = p.Unit.ToString(),
                }));
            }

            _writer.Flush();
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate) _writer.Flush();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate) _writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
