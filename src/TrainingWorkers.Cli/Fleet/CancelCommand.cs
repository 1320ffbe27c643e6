using TrainingWorkers.Core.Failures;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary><c>tw cancel JOB</c>: a queued job ends at once; a running one is stopped by its worker at the next heartbeat.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "the job id" };
        var command = new Command("cancel", "cancel a fleet job") { job };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
            FleetCommand.RunAsync("cancel", json: false, () => CancelAsync(parse.GetValue(job)!, fleet.Resolve(parse), cancellationToken), cancellationToken));
        return command;
    }

    private static async Task<int> CancelAsync(string jobId, FleetTarget target, CancellationToken cancellationToken)
    {
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IJobStore>();
        // Read first: the store answers a finished job's status too, and only the record says whether it was finished already.
        var before = await StatusCommand.GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
        var after = before.Status.IsTerminal() ? before.Status : await store.RequestCancelAsync(jobId, cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine(after switch
        {
            null => throw new FleetInputException($"no job '{jobId}' in table {target.Table}", "unknown_job"),
            JobStatus.Cancelled when !before.Status.IsTerminal() => $"{jobId}: cancelled (it had not started)",
            JobStatus.Running => $"{jobId}: cancel requested: its worker stops it within one heartbeat",
            var status => $"{jobId}: already finished ({status}); nothing to cancel",
        });
        return ExitCodes.Success;
    }
}
