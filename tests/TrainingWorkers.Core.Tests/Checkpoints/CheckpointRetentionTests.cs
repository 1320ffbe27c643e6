using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Core.Tests.Checkpoints;

public class CheckpointRetentionTests
{
    private static readonly string[] Ids = ["a", "b", "c", "d", "e"];

    [Fact]
    public void ToDelete_KeepLastTwo_DeletesOlderOnes()
    {
        Assert.Equal(["a", "b", "c"], CheckpointRetention.ToDelete(Ids, keepLast: 2, bestId: null));
    }

    [Fact]
    public void ToDelete_BestAndProtected_AreKeptWhateverTheirAge()
    {
        Assert.Equal(["c"], CheckpointRetention.ToDelete(Ids, keepLast: 2, bestId: "a", protectedId: "b"));
    }
}
