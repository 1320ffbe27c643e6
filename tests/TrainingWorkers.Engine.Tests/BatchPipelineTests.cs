using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests;

public sealed class BatchPipelineTests
{
    private static Dataset Numbers(int count) =>
        new(Enumerable.Range(0, count * 2).Select(i => (float)i).ToArray(), [2], Enumerable.Range(0, count).Select(i => (long)i).ToArray(), null);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 4)]
    public void Batches_ComeInOrderWithTheRowsOfTheOrder_FromAnyStep(int threads, int fromStep)
    {
        var data = Numbers(103);
        var order = Shuffle.Permutation(103, 5, 1);
        using var pipeline = new BatchPipeline(data, order, 10, fromStep, 11, threads, 3, null, new InputCounters());
        for (var step = fromStep; step < 11; step++)
        {
            var (buffer, n) = pipeline.Next(step);
            Assert.Equal(step == 10 ? 3 : 10, n);
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(order[step * 10 + i], buffer.Labels[i]);
                Assert.Equal(order[step * 10 + i] * 2, buffer.Features[i * 2]);
            }
        }
    }

    [Fact]
    public void AFailingRead_SurfacesAtItsBatch_NotBefore()
    {
        var data = new Dataset(new FailingReader(failAt: 25), Enumerable.Range(0, 40).ToArray(), [1], new long[40]);
        using var pipeline = new BatchPipeline(data, Enumerable.Range(0, 40).ToArray(), 10, 0, 4, 2, 3, null, new InputCounters());
        pipeline.Next(0);
        pipeline.Next(1);
        var e = Assert.Throws<InvalidDataException>(() => pipeline.Next(2));
        Assert.Equal("item 25", e.Message);
    }

    [Fact]
    public void Disposing_MidEpoch_StopsTheLoaderThreads()
    {
        var reader = new FailingReader(failAt: -1);
        var data = new Dataset(reader, Enumerable.Range(0, 1000).ToArray(), [1], new long[1000]);
        var pipeline = new BatchPipeline(data, Enumerable.Range(0, 1000).ToArray(), 10, 0, 100, 2, 3, null, new InputCounters());
        pipeline.Next(0);
        pipeline.Dispose();
        // Bounded: never more than depth batches (3 x 10 rows, plus one in flight per thread) were read.
        Assert.InRange(reader.Reads, 10, 50);
    }

    private sealed class FailingReader(int failAt) : IExampleReader
    {
        private int _reads;

        public int Reads => _reads;
        public int Parallelism => 1;

        public void Read(int item, Span<float> destination, ulong? augmentSeed)
        {
            Interlocked.Increment(ref _reads);
            if (item == failAt) throw new InvalidDataException($"item {item}");
            destination[0] = item;
        }
    }
}
