using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Engine.Tests.Distributed;

public class RankShardTests
{
    [Fact]
    public void Slice_TwoRanksOf64_TogetherAreOneRankOf128StepByStep()
    {
        var order = Shuffle.Permutation(1280, 7, 0);
        var single = RankShard.Slice(order, 128, 0, 1);
        var r0 = RankShard.Slice(order, 64, 0, 2);
        var r1 = RankShard.Slice(order, 64, 1, 2);

        Assert.Equal(order, single);
        Assert.Equal(10, RankShard.StepsPerEpoch(1280, 64, 2));
        for (var s = 0; s < 10; s++)
        {
            Assert.Equal(single.AsSpan(s * 128, 128).ToArray(), r0.AsSpan(s * 64, 64).ToArray().Concat(r1.AsSpan(s * 64, 64).ToArray()));
        }
    }

    [Theory]
    [InlineData(1000, 64, 3)]
    [InlineData(10, 4, 4)]
    [InlineData(7, 100, 2)]
    public void Slice_ShortLastBatch_EveryExampleSeenAndRanksTakeEqualSteps(int count, int batch, int world)
    {
        var order = Shuffle.Permutation(count, 1, 2);
        var slices = Enumerable.Range(0, world).Select(r => RankShard.Slice(order, batch, r, world)).ToList();
        var steps = RankShard.StepsPerEpoch(count, batch, world);

        Assert.Equal(Enumerable.Range(0, count), slices.SelectMany(s => s).Distinct().Order());
        Assert.All(slices, s => Assert.Equal(slices[0].Length, s.Length));
        Assert.All(slices, s => Assert.Equal(steps, (s.Length + batch - 1) / batch));
        // Padding repeats fewer than one example per rank.
        Assert.InRange(slices.Sum(s => s.Length) - count, 0, world - 1);
    }

    [Fact]
    public void Slice_RankOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RankShard.Slice([0, 1, 2], 1, 2, 2));
}

public class WorldSizeChangeTests
{
    [Theory]
    [InlineData(10, 2, 1, 20)]
    [InlineData(10, 1, 2, 5)]
    [InlineData(7, 1, 2, 3)]
    [InlineData(7, 4, 4, 7)]
    [InlineData(0, 4, 2, 0)]
    public void AdaptTo_MidEpochCheckpointOfOtherWorld_KeepsTheExamplesConsumed(int step, int savedWorld, int world, int expected)
    {
        var state = new Training.TrainerState { StepInEpoch = step, WorldSize = savedWorld };

        DataParallel.AdaptTo(state, world);

        Assert.Equal(expected, state.StepInEpoch);
        Assert.Equal(world, state.WorldSize);
    }
}
