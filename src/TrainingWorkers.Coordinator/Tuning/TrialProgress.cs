using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Coordinator.Tuning.Stopping;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>What a trial's job tells about the trial: its status and objective, and the stopping rule's verdict on each new epoch.</summary>
internal static class TrialProgress
{
    /// <summary>Moves the trial's status on from its job's; returns the stopping rule's reason when it should stop now.</summary>
    public static string? Update(TrialState trial, IReadOnlyList<TrialState> trials, Objective objective, IStoppingRule rule)
    {
        trial.Status = trial.JobStatus switch
        {
            JobStatus.Running => TrialStatus.Running,
            JobStatus.Succeeded => TrialStatus.Completed,
            JobStatus.Failed => TrialStatus.Failed,
            JobStatus.Cancelled => trial.StopReason is not null ? TrialStatus.Pruned : TrialStatus.Cancelled,
            _ => trial.Status,
        };
        var best = trial.Values.Values.Aggregate(double.NaN, (b, v) => objective.Best(v, b));
        if (double.IsNaN(best) && trial.FinalMetrics?.TryGetValue(objective.Metric, out var final) == true) best = final;
        trial.Objective = double.IsNaN(best) ? null : best;
        if (trial.Status == TrialStatus.Completed && trial.Objective is null)
        {
            (trial.Status, trial.Error) = (TrialStatus.Failed, $"the job reported no {objective.Metric}");
        }

        string? stop = null;
        foreach (var epoch in trial.Values.Keys.Where(e => e > trial.JudgedEpoch).ToList())
        {
            var mayStop = stop is null && !trial.HasEnded && !trial.CancelRequested;
            var verdict = rule.Judge(trial, epoch, trials, mayStop);
            trial.JudgedEpoch = epoch;
            if (mayStop && verdict is not null) (stop, trial.StoppedAtEpoch) = (verdict, epoch);
        }

        return stop;
    }

    /// <summary>The finished trials a sampler learns from, oldest first: warm-start ones, then this sweep's completed and stopped ones.</summary>
    public static List<Observation> History(StudyState state) =>
        state.PriorTrials.Concat(state.Trials)
            .Where(t => t.Objective is not null && t.Status is TrialStatus.Completed or TrialStatus.Pruned)
            .Select(t => new Observation(t.Params, t.Status == TrialStatus.Pruned && t.StoppedAtEpoch is { } e && t.Values.TryGetValue(e, out var v) ? v : t.Objective!.Value,
                t.Status == TrialStatus.Completed, t.StoppedAtEpoch ?? (t.Values.Count > 0 ? t.Values.Keys.Max() : 0)))
            .ToList();
}
