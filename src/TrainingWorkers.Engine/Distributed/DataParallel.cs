using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// What the <see cref="Trainer"/> does differently as one rank of a data-parallel group: it trains
/// on its shard of each epoch, averages gradients through the group, reduces the epoch's sums and
/// the validation outputs across ranks, and leaves checkpoints and metrics to rank 0.
/// </summary>
public sealed class DataParallel(ProcessGroup group)
{
    public ProcessGroup Group { get; } = group;
    public int Rank => Group.Rank;
    public int WorldSize => Group.WorldSize;
    public bool IsRankZero => Group.Rank == 0;

    /// <summary>
    /// Joins the model to the group (rank 0's weights everywhere, gradient averaging). A resumed
    /// state's partial epoch sums are the whole group's: only rank 0 keeps them. Ranks other than 0
    /// draw their own dropout masks from a seed of (job seed, rank, step).
    /// </summary>
    internal void Join(Model model, Optimizer optimizer, TrainerState state, ulong seed)
    {
        // A group of one has nothing to average: no hook, no per-step collective.
        if (WorldSize > 1) Group.Attach(model, optimizer);
        if (IsRankZero) return;
        (state.LossSum, state.Correct, state.Seen) = (0, 0, 0);
        Torch.ManualSeed(seed ^ (0x9E3779B97F4A7C15UL * (ulong)Rank) ^ ((ulong)state.GlobalStep << 20));
    }

    /// <summary>
    /// A checkpoint taken mid-epoch by another number of ranks: continue after as many examples as it
    /// had consumed, rounded down to a whole step of this group (so at most one global batch is seen twice).
    /// </summary>
    internal static void AdaptTo(TrainerState state, int worldSize)
    {
        if (state.StepInEpoch > 0 && state.WorldSize != worldSize) state.StepInEpoch = (int)((long)state.StepInEpoch * state.WorldSize / worldSize);
        state.WorldSize = worldSize;
    }

    internal int StepsPerEpoch(int count, int batchSize) => RankShard.StepsPerEpoch(count, batchSize, WorldSize);

    internal int[] Shard(int[] order, int batchSize) => RankShard.Slice(order, batchSize, Rank, WorldSize);

    /// <summary>Every rank ends with the group's epoch sums.</summary>
    internal void ReduceEpochSums(TrainerState state)
    {
        Span<double> sums = [state.LossSum, state.Correct, state.Seen];
        Group.AllReduce(sums);
        (state.LossSum, state.Correct, state.Seen) = (sums[0], (long)sums[1], (int)sums[2]);
    }

    /// <summary>Before a mid-epoch checkpoint: rank 0 (which writes it) holds the group's sums, the others zero.</summary>
    internal void GatherEpochSums(TrainerState state)
    {
        ReduceEpochSums(state);
        if (!IsRankZero) (state.LossSum, state.Correct, state.Seen) = (0, 0, 0);
    }

    /// <summary>Each rank evaluates a contiguous part of the rows; the outputs and loss are summed across ranks, so every rank computes the same metrics.</summary>
    internal EvaluationReport Evaluate(Model model, Dataset data, IReadOnlyList<string> classNames)
    {
        var outputs = new float[(long)data.Count * model.Definition.Outputs];
        var share = (data.Count + WorldSize - 1) / WorldSize;
        var from = Math.Min(data.Count, Rank * share);
        var to = Math.Min(data.Count, from + share);
        Span<double> loss = [from < to ? Evaluator.Run(model, data, from, to, outputs) : 0];
        Group.AllReduce(outputs.AsSpan());
        Group.AllReduce(loss);
        return Evaluator.Report(model, data, outputs, loss[0], classNames);
    }

    /// <summary>Whether to stop now: every rank answers the same after the same step.</summary>
    internal bool StopRequested(CancellationToken cancellationToken) => WorldSize == 1 ? cancellationToken.IsCancellationRequested : Group.StopAgreed;

    /// <summary>Cancellation becomes a stop request that travels with the next gradient all-reduce.</summary>
    internal CancellationTokenRegistration StopWhen(CancellationToken cancellationToken) => cancellationToken.Register(Group.RequestStop);
}
