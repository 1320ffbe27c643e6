namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// Which examples of an epoch each rank trains on. Every rank computes the same seeded
/// permutation; step s's global batch is its next <c>batchSize * worldSize</c> examples, and rank
/// r takes the r-th contiguous part. So 2 ranks x batch 64 see exactly the batches of 1 rank x
/// batch 128. The last, short global batch is split evenly; where it does not divide, the last
/// ranks wrap to the start of the permutation (as torch's DistributedSampler pads).
/// </summary>
public static class RankShard
{
    public static int StepsPerEpoch(int count, int batchSize, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        var global = (long)batchSize * worldSize;
        return (int)((count + global - 1) / global);
    }

    /// <summary>This rank's examples of the epoch, in step order: step s is [s * batchSize, s * batchSize + batchSize).</summary>
    public static int[] Slice(int[] order, int batchSize, int rank, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        var count = order.Length;
        var steps = StepsPerEpoch(count, batchSize, worldSize);
        var global = batchSize * worldSize;
        var result = new List<int>(steps * batchSize);
        for (var s = 0; s < steps; s++)
        {
            var start = s * global;
            var remaining = Math.Min(global, count - start);
            var share = (remaining + worldSize - 1) / worldSize;
            for (var j = 0; j < share; j++) result.Add(order[(start + (rank * share) + j) % count]);
        }

        return [.. result];
    }
}
