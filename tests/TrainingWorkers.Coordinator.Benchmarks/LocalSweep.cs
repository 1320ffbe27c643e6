using System.Diagnostics;
using System.Text.Json.Nodes;
using TrainingWorkers.Coordinator.Tuning;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>
/// The coordinator's tuner on this machine: its sampler (<see cref="SweepPolicies.Sampler"/>), its stopping rule and the
/// same trial bookkeeping the sweep driver uses (<see cref="TrialProgress"/>), with `tw run` children in place of fleet jobs,
/// so that both tuners drive the same training jobs and only their decisions differ.
/// </summary>
internal sealed class LocalSweep(TuneRequest request, string tw, string workdir)
{
    public async Task<TunerRun> RunAsync(string tuner, ulong seed)
    {
        var clock = Stopwatch.StartNew();
        var cpu = CpuTime.Now();
        var sampler = SweepPolicies.Sampler(request);
        var rule = SweepPolicies.Stopping(request);
        var state = new StudyState();
        var running = new Dictionary<TrialState, TwTrial>();
        var points = new List<TrialPoint>();
        while (points.Count < request.Trials)
        {
            while (running.Count < request.Parallel && state.Trials.Count < request.Trials)
            {
                var number = state.Trials.Count;
                var trial = new TrialState { Number = number, Params = sampler.Sample(number, TrialProgress.History(state)), JobStatus = JobStatus.Running };
                state.Trials.Add(trial);
                running[trial] = TwTrial.Start(tw, Spec(trial), Path.Combine(workdir, $"{tuner}-{seed}", $"t{number:D3}"));
            }

            await Task.Delay(100);
            foreach (var (trial, child) in running.ToList())
            {
                var exited = child.HasExited;
                foreach (var (epoch, reported) in child.NewValues(request.Objective.Metric)) trial.Values[epoch] = reported;
                if (exited) trial.JobStatus = child.ExitCode == 0 ? JobStatus.Succeeded : JobStatus.Failed;
                if (TrialProgress.Update(trial, state.Trials, request.Objective, rule) is { } stop)
                {
                    (trial.CancelRequested, trial.StopReason) = (true, stop);
                    child.Kill();
                    trial.JobStatus = JobStatus.Cancelled;
                    TrialProgress.Update(trial, state.Trials, request.Objective, rule);
                }

                if (!trial.HasEnded) continue;
                var value = trial.Status == TrialStatus.Pruned && trial.StoppedAtEpoch is { } e ? trial.Values[e] : trial.Objective;
                points.Add(new TrialPoint(trial.Number, State(trial.Status), value, CpuTime.Now() - cpu));
                child.Dispose();
                running.Remove(trial);
            }
        }

        return new TunerRun(tuner, seed, points, clock.Elapsed.TotalSeconds);
    }

    private JsonObject Spec(TrialState trial)
    {
        var spec = (JsonObject)request.Spec.DeepClone();
        spec["name"] = $"t{trial.Number:D3}";
        foreach (var p in request.SearchSpace) p.Path.TrySet(spec, trial.Params[p.Name]!, out _);
        return spec;
    }

    // Optuna's trial states, so both tuners' lines read alike.
    private static string State(TrialStatus status) => status switch
    {
        TrialStatus.Completed => "complete",
        TrialStatus.Pruned => "pruned",
        _ => "fail",
    };
}
