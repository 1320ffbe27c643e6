using TrainingWorkers.Core.Failures;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary><c>tw status JOB</c>: the job's record (status, attempts, lease, progress, metrics, checkpoint, model), a multi-node job's nodes, and its status history.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "the job id" };
        var output = FleetOptions.CreateOutput();
        var command = new Command("status", "show a fleet job's state, progress, metrics and history") { job, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("status", json, () => StatusAsync(parse.GetValue(job)!, json, fleet.Resolve(parse), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> StatusAsync(string jobId, bool json, FleetTarget target, CancellationToken cancellationToken)
    {
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IJobStore>();
        var job = await GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
        var history = await store.GetHistoryAsync(jobId, cancellationToken).ConfigureAwait(false);
        // A multi-node job: every node of its newest gang, with its worker and lease.
        var nodes = job.Gang is null ? null
            : GangView.Rows(job, await services.GetRequiredService<IGangStore>().GetNodesAsync(jobId, cancellationToken).ConfigureAwait(false), DateTimeOffset.UtcNow);
        if (json) Console.Out.WriteLine(JobView.ToJson(job, history, nodes));
        else JobView.WriteStatus(FleetCommand.CreateConsole(), job, history, nodes);
        return ExitCodes.Success;
    }

    /// <summary>The job's record, or an unknown-job error (exit 2) naming the table.</summary>
    public static async Task<JobRecord> GetAsync(IJobStore store, string jobId, FleetTarget target, CancellationToken cancellationToken) =>
        await store.GetAsync(jobId, cancellationToken).ConfigureAwait(false)
        ?? throw new FleetInputException($"no job '{jobId}' in table {target.Table}{(target.EnvironmentName is null ? "" : $" (environment '{target.EnvironmentName}')")}", "unknown_job");
}
