using TrainingWorkers.Coordinator.Tuning.Stopping;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tests.Tuning;

public sealed class StoppingRuleTests
{
    private static readonly Objective Accuracy = new("val_accuracy", HigherIsBetter: true);

    private static TrialState Trial(int number, TrialStatus status, params double[] values) => new()
    {
        Number = number, Status = status, Values = new SortedDictionary<int, double>(values.Select((v, i) => (v, i)).ToDictionary(x => x.i + 1, x => x.v)),
    };

    [Fact]
    public void Median_BelowTheCompletedMedianAtThatEpoch_Stops_AboveGoesOn_BeforeEnoughCompletedNever()
    {
        var rule = new MedianRule(new StoppingOptions { Rule = StoppingRule.Median, MinTrials = 3, WarmupEpochs = 1 }, Accuracy);
        var done = new[] { Trial(0, TrialStatus.Completed, 0.5, 0.6, 0.7), Trial(1, TrialStatus.Completed, 0.4, 0.5, 0.6), Trial(2, TrialStatus.Completed, 0.3, 0.4, 0.5) };
        var low = Trial(3, TrialStatus.Running, 0.35, 0.45);
        var high = Trial(4, TrialStatus.Running, 0.1, 0.55);

        Assert.Null(rule.Judge(low, 1, [.. done, low], mayStop: true));
        Assert.NotNull(rule.Judge(low, 2, [.. done, low], mayStop: true));
        Assert.Null(rule.Judge(high, 2, [.. done, high], mayStop: true));
        Assert.Null(rule.Judge(low, 2, [done[0], done[1], low], mayStop: true));
    }

    [Fact]
    public void Asha_FirstAtARungGoesOn_AWorseSecondStops_ThenOnlyTheTopThirdGoesOn()
    {
        var rule = new AshaRule(new StoppingOptions { Rule = StoppingRule.Asha, MinEpochs = 1, ReductionFactor = 3 }, Accuracy);
        var trials = new List<TrialState>();
        string? Reach(TrialState t, int epoch)
        {
            if (!trials.Contains(t)) trials.Add(t);
            return rule.Judge(t, epoch, trials, mayStop: true);
        }

        Assert.Null(Reach(Trial(0, TrialStatus.Running, 0.5), 1));
        Assert.NotNull(Reach(Trial(1, TrialStatus.Running, 0.4), 1));
        Assert.Null(Reach(Trial(2, TrialStatus.Running, 0.6), 1));
        // Four at rung 0: the best ⌊4/3⌋ = 1 goes on (0.6); 0.55 does not.
        Assert.NotNull(Reach(Trial(3, TrialStatus.Running, 0.55), 1));
        // Six at rung 0: the best 2 (0.6, 0.58) go on.
        Reach(Trial(4, TrialStatus.Running, 0.1), 1);
        Assert.Null(Reach(Trial(5, TrialStatus.Running, 0.58), 1));
        Assert.Equal([0.5, 0.4, 0.6, 0.55, 0.1, 0.58], trials.Select(t => t.Rungs[0]));
    }

    [Fact]
    public void Asha_NextRungAtMinEpochsTimesFactor_AnEndedTrialOnlyRecordsItsRungs()
    {
        var rule = new AshaRule(new StoppingOptions { Rule = StoppingRule.Asha, MinEpochs = 1, ReductionFactor = 2 }, Accuracy);
        var finished = Trial(0, TrialStatus.Completed, 0.5, 0.9, 0.9, 0.95);
        Assert.Null(rule.Judge(finished, 4, [finished], mayStop: false));
        Assert.Equal([0, 1, 2], finished.Rungs.Keys);

        var worse = Trial(1, TrialStatus.Running, 0.6, 0.7);
        Assert.Null(rule.Judge(worse, 1, [finished, worse], mayStop: true));
        Assert.Contains("rung 1", rule.Judge(worse, 2, [finished, worse], mayStop: true), StringComparison.Ordinal);
    }
}
