using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Data.Images;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>
/// A webdataset streamed for training: each epoch a seeded shard order, this rank's shards (every world-size-th),
/// read front to back (the next one fetched while the current is read) through a seeded shuffle buffer. A producer
/// thread fills a window of positions that the loader threads decode, so memory holds the shuffle buffer and the
/// window, never the data set. Resuming at a position replays the epoch's stream up to it without decoding.
/// </summary>
/// <param name="prefetch">Batches the pipeline prepares ahead: the window holds that many and those being decoded.</param>
internal sealed class ShardStreamReader(ShardSource source, ImageOptions options, int threads, InputCounters counters, ulong seed, int shuffleBuffer, int prefetch)
    : IExampleReader, IEpochStream
{
    // Monitor.Wait/PulseAll need a monitor: System.Threading.Lock has no condition variable.
    private readonly object _gate = new();
    private RawSample?[] _slots = [];
    private int[] _slotPosition = [];
    private Thread? _producer;
    private bool _stop;
    private ExceptionDispatchInfo? _error;

    /// <summary>The label of each position, written as the position is read.</summary>
    public long[] Labels { get; } = new long[source.Manifest.Samples];
    public int Parallelism => threads;
    public string Fingerprint => source.Manifest.Fingerprint;

    public (int Steps, int Positions) Start(int epoch, int fromPosition, int batchSize, int rank, int worldSize)
    {
        Stop();
        var shards = source.Manifest.Shards;
        if (shards.Count < worldSize)
        {
            throw new JobInputException(source.Field, $"has {shards.Count} shards, fewer than the {worldSize} ranks that each read their own: pack with a smaller --samples-per-shard");
        }

        var order = Shuffle.Permutation(shards.Count, seed, (ulong)epoch ^ 0x5EED5EED00000000UL);
        var counts = Enumerable.Range(0, worldSize).Select(r => order.Where((_, i) => i % worldSize == r).Sum(s => (long)shards[s].Samples)).ToArray();
        // Every rank takes as many steps as the rank with the fewest samples: the surplus of the others waits for the next epoch's order.
        var steps = (int)counts.Min(c => (c + batchSize - 1) / batchSize);
        var positions = (int)Math.Min(counts[rank], (long)steps * batchSize);
        var mine = order.Where((_, i) => i % worldSize == rank).ToArray();
        (_stop, _error) = (false, null);
        // Wide enough for every batch the pipeline may hold, prepare or decode at once (else the producer and loaders wait on each other).
        var window = batchSize * (prefetch + threads + 3);
        _slots = new RawSample?[window];
        _slotPosition = Enumerable.Repeat(-1, window).ToArray();
        var random = new SplitMix(SplitMix.Seed(seed, (ulong)epoch, (ulong)rank));
        _producer = new Thread(() => Produce(mine, fromPosition, positions, random)) { IsBackground = true, Name = "tw-shards" };
        _producer.Start();
        return (steps, positions);
    }

    public void Read(int item, Span<float> destination, ulong? augmentSeed)
    {
        RawSample sample;
        var slot = item % _slots.Length;
        lock (_gate)
        {
            while (_slotPosition[slot] != item && _error is null && !_stop) Monitor.Wait(_gate);
            if (_slotPosition[slot] != item) _error?.Throw();
            if (_slotPosition[slot] != item) throw new OperationCanceledException("the stream was stopped");
            sample = _slots[slot]!;
            (_slots[slot], _slotPosition[slot]) = (null, -1);
            Monitor.PulseAll(_gate);
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            using var image = ImageDecoder.Decode(sample.Image, options.Channels, sample.Name);
            ImageTransform.Apply(image, options, destination, augmentSeed);
        }
        catch (BadImageException e)
        {
            throw new JobInputException(source.Field, e.Reason, e.File, e);
        }

        Labels[item] = sample.Label;
        counters.Decoded(Stopwatch.GetElapsedTime(start));
    }

    public void Stop()
    {
        lock (_gate)
        {
            _stop = true;
            Monitor.PulseAll(_gate);
        }

        _producer?.Join();
        _producer = null;
    }

    private void Produce(int[] shards, int fromPosition, int positions, SplitMix random)
    {
        try
        {
            var position = 0;
            foreach (var sample in Shuffled(shards, random))
            {
                if (position == positions) return;
                if (position >= fromPosition && !Put(position, sample)) return;
                position++;
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _error = ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_gate);
            }
        }
    }

    // A shuffle buffer over the shards in order: each new sample takes a random one's place, which is emitted.
    private IEnumerable<RawSample> Shuffled(int[] shards, SplitMix random)
    {
        var buffer = new List<RawSample>(shuffleBuffer);
        foreach (var sample in Samples(shards))
        {
            if (buffer.Count < shuffleBuffer)
            {
                buffer.Add(sample);
                continue;
            }

            var j = random.NextInt(buffer.Count);
            yield return buffer[j];
            buffer[j] = sample;
        }

        while (buffer.Count > 0)
        {
            var j = random.NextInt(buffer.Count);
            yield return buffer[j];
            buffer[j] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
    }

    private IEnumerable<RawSample> Samples(int[] shards)
    {
        var next = Task.Run(() => source.Local(shards[0]));
        for (var i = 0; i < shards.Length; i++)
        {
            var path = next.GetAwaiter().GetResult();
            // The next shard downloads into the cache while this one is read.
            if (i + 1 < shards.Length)
            {
                var following = shards[i + 1];
                next = Task.Run(() => source.Local(following));
            }

            foreach (var sample in ShardSamples.Read(path, source.Field, source.Manifest.Classes.Count)) yield return sample;
        }
    }

    private bool Put(int position, RawSample sample)
    {
        var slot = position % _slots.Length;
        lock (_gate)
        {
            while (_slotPosition[slot] != -1 && !_stop) Monitor.Wait(_gate);
            if (_stop) return false;
            (_slots[slot], _slotPosition[slot]) = (sample, position);
            Monitor.PulseAll(_gate);
            return true;
        }
    }
}
