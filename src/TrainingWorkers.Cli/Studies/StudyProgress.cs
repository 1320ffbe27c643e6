using System.Globalization;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Cli.Studies;

/// <summary>How far a study has come, from its state: jobs ended of jobs planned, and a line for people.</summary>
internal sealed record StudyProgress(int Done, int Total, string Summary)
{
    public double Fraction => Total == 0 ? 0 : Math.Clamp((double)Done / Total, 0, 1);

    public static StudyProgress Of(StudyRecord study)
    {
        var state = StudyJson.Read<StudyState>(study.StateJson);
        StudyRequest? request = null;
        try
        {
            request = StudyRequestParser.Parse(study.RequestJson, study.Kind);
        }
        catch (InvalidRequestException)
        {
            // A record written by something else: the state alone still tells something.
        }

        return request switch
        {
            TuneRequest tune => Sweep(tune, state),
            FineTuneRequest pipeline => Pipeline(pipeline, state),
            _ => new StudyProgress(0, 0, study.Status.ToString()),
        };
    }

    private static StudyProgress Sweep(TuneRequest request, StudyState state)
    {
        var trials = state.Trials;
        int Count(TrialStatus s) => trials.Count(t => t.Status == s);
        var ended = trials.Count(t => t.HasEnded);
        var best = trials.Where(t => t.Status == TrialStatus.Completed && t.Objective is not null)
            .Aggregate((TrialState?)null, (b, t) => b is null || request.Objective.Better(t.Objective!.Value, b.Objective!.Value) ? t : b);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{ended}/{request.Trials} trials ended ({Count(TrialStatus.Completed)} completed, {Count(TrialStatus.Pruned)} stopped early, {Count(TrialStatus.Failed)} failed), {trials.Count(t => !t.HasEnded)} running");
        if (best is not null) summary += string.Create(CultureInfo.InvariantCulture, $", best {request.Objective.Metric} {best.Objective:0.####} (trial {best.Number})");
        var before = state.Branches.SelectMany(b => b.Stages).ToList();
        if (request.Stage is { Stage: > 0 } && trials.Count == 0) summary = $"running the stages before the swept one: {before.Count(s => s.HasEnded)}/{request.Stage.Stage} ended";
        return new StudyProgress(ended + before.Count(s => s.HasEnded), request.Trials + (request.Stage?.Stage ?? 0), summary);
    }

    private static StudyProgress Pipeline(FineTuneRequest request, StudyState state)
    {
        var total = FineTunePlan.Approaches(request).Sum(a => FineTunePlan.Stages(request, a).Count);
        var done = state.Branches.Sum(b => b.Stages.Count(s => s.HasEnded) + (b.Status is BranchStatus.Failed or BranchStatus.Cancelled
            ? FineTunePlan.Stages(request, Approach(b)).Count - b.Stages.Count(s => s.HasEnded) : 0));
        var parts = state.Branches.Select(b => b.Status == BranchStatus.Running && b.Stages.LastOrDefault() is { } s
            ? $"{b.Approach}: {s.Name} stage {b.Stages.Count}/{FineTunePlan.Stages(request, Approach(b)).Count}"
            : $"{b.Approach}: {b.Status.ToString().ToLowerInvariant()}");
        return new StudyProgress(done, total, string.Join(", ", parts));
    }

    private static FineTuneApproach Approach(BranchState branch) =>
        Enum.GetValues<FineTuneApproach>().First(a => a.ToString().Equals(branch.Approach, StringComparison.OrdinalIgnoreCase));
}
