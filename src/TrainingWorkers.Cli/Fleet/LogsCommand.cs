using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// <c>tw logs JOB [--follow]</c>: the job's log from CloudWatch Logs, every attempt in order, each line with its
/// attempt and UTC time. With <c>--follow</c> it keeps printing new lines until the job has ended.
/// </summary>
internal static class LogsCommand
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "the job id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until the job has ended" };
        var group = new Option<string?>("--log-group") { Description = "the jobs' log group (default: the environment's; the stack's output JobLogGroupName)" };
        var command = new Command("logs", "show a fleet job's log (its ranks' output, every attempt)") { job, follow, group };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => FleetCommand.RunAsync("logs", json: false,
            () => LogsAsync(parse.GetValue(job)!, parse.GetValue(follow), parse.GetValue(group), fleet.Resolve(parse), cancellationToken), cancellationToken));
        return command;
    }

    private static async Task<int> LogsAsync(string jobId, bool follow, string? group, FleetTarget target, CancellationToken cancellationToken)
    {
        var logGroup = group ?? target.LogGroup ?? throw new FleetInputException(
            $"no log group: pass --log-group, or choose an environment that records one ({target.EnvironmentsPath})", "no_log_group");
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IJobStore>();
        var job = await StatusCommand.GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
        var reader = services.GetRequiredService<JobLogs>().OpenReader(jobId, logGroup);
        long? attempt = null;
        while (true)
        {
            // The status is read before the lines: a worker closes the attempt's log before it writes the outcome.
            var ended = job.Status.IsTerminal();
            foreach (var line in await reader.ReadNewAsync(cancellationToken).ConfigureAwait(false))
            {
                if (line.Attempt != attempt) Console.Out.WriteLine($"--- attempt {line.Attempt} ---");
                attempt = line.Attempt;
                Console.Out.WriteLine($"{line.Timestamp.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {line.Message}");
            }

            if (!follow || ended) break;
            await Task.Delay(FollowInterval, cancellationToken).ConfigureAwait(false);
            job = await StatusCommand.GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
        }

        if (!reader.HasStreams) Console.Error.WriteLine($"tw logs: job {jobId} has no log yet (status {job.Status}) in {logGroup}");
        return ExitCodes.Success;
    }
}
