using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// Prepares an epoch's batches ahead of the training step, on loader threads: batch b is filled by thread
/// b mod threads into buffer b mod depth, so at most <c>depth - 1</c> batches wait ready while the step runs,
/// and memory stays bounded. The step takes them in order; the time it waits is counted. With no loader
/// threads the batch is filled on the training thread (nothing overlaps).
/// </summary>
internal sealed class BatchPipeline : IDisposable
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly int _batchSize;
    private readonly int _steps;
    private readonly Func<int, ulong?>? _augmentSeed;
    private readonly InputCounters _counters;
    private readonly BatchBuffer[] _buffers;
    private readonly int[] _filled;
    private readonly ExceptionDispatchInfo?[] _errors;
    private readonly Thread[] _threads;
    // Monitor.Wait/PulseAll need a monitor: System.Threading.Lock has no condition variable.
    private readonly object _gate = new();
    private int _held;
    private bool _stopped;

    /// <param name="fromStep">The first step to prepare (a resumed epoch starts mid-way).</param>
    public BatchPipeline(Dataset data, int[] order, int batchSize, int fromStep, int steps, int threads, int depth, Func<int, ulong?>? augmentSeed, InputCounters counters)
    {
        (_data, _order, _batchSize, _steps, _augmentSeed, _counters) = (data, order, batchSize, steps, augmentSeed, counters);
        depth = threads == 0 ? 1 : Math.Max(depth, threads + 1);
        _buffers = Enumerable.Range(0, depth).Select(_ => new BatchBuffer(data, batchSize)).ToArray();
        _filled = Enumerable.Repeat(-1, depth).ToArray();
        _errors = new ExceptionDispatchInfo?[depth];
        _held = fromStep - 1;
        _threads = Enumerable.Range(0, threads).Select(t => new Thread(() => Produce(fromStep + t, threads)) { IsBackground = true, Name = $"tw-loader-{t}" }).ToArray();
        foreach (var thread in _threads) thread.Start();
    }

    /// <summary>The batch of <paramref name="step"/> and its size; the previous batch's buffer is given back. Steps come in order.</summary>
    public (BatchBuffer Buffer, int Count) Next(int step)
    {
        var count = Math.Min(_batchSize, _order.Length - step * _batchSize);
        if (_threads.Length == 0)
        {
            Fill(_buffers[0], step, count);
            return (_buffers[0], count);
        }

        var slot = step % _buffers.Length;
        lock (_gate)
        {
            _held = step;
            Monitor.PulseAll(_gate);
            if (_filled[slot] != step)
            {
                var start = Stopwatch.GetTimestamp();
                while (_filled[slot] != step) Monitor.Wait(_gate);
                _counters.Waited(Stopwatch.GetElapsedTime(start));
            }

            _errors[slot]?.Throw();
        }

        return (_buffers[slot], count);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }

        foreach (var thread in _threads) thread.Join();
    }

    private void Produce(int first, int stride)
    {
        for (var b = first; b < _steps; b += stride)
        {
            var slot = b % _buffers.Length;
            lock (_gate)
            {
                // Buffer b mod depth is free once the step holds a batch past b - depth.
                while (!_stopped && b >= _held + _buffers.Length) Monitor.Wait(_gate);
                if (_stopped) return;
            }

            ExceptionDispatchInfo? error = null;
            try
            {
                Fill(_buffers[slot], b, Math.Min(_batchSize, _order.Length - b * _batchSize));
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }

            lock (_gate)
            {
                (_filled[slot], _errors[slot]) = (b, error);
                Monitor.PulseAll(_gate);
            }

            if (error is not null) return;
        }
    }

    private void Fill(BatchBuffer buffer, int step, int count) => buffer.Fill(_data, _order, step * _batchSize, count, _augmentSeed);
}
