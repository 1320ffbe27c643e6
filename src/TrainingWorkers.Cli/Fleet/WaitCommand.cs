using TrainingWorkers.Core.Failures;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// <c>tw wait JOB</c>: polls the job's record until it is finished, with a progress bar in text mode. Exits
/// 0 Succeeded, 3 Failed, 130 Cancelled, 124 when --timeout passes first.
/// </summary>
internal static class WaitCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "the job id" };
        var timeout = new Option<double?>("--timeout") { Description = "give up after this many seconds (exit 124); default: wait for ever" };
        var poll = new Option<double>("--poll") { Description = "seconds between two reads of the job's record", DefaultValueFactory = _ => 2 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } t && !(t > 0)) r.AddError($"--timeout: must be > 0 seconds, got {t}");
        });
        poll.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is var p && p is not (>= 0.1 and <= 3600)) r.AddError($"--poll: must be between 0.1 and 3600 seconds, got {p}");
        });
        var output = FleetOptions.CreateOutput();
        var command = new Command("wait", "wait until a fleet job finishes; the exit code says how it ended") { job, timeout, poll, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            var limit = parse.GetValue(timeout) is { } t ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
            return FleetCommand.RunAsync("wait", json, () => WaitAsync(parse.GetValue(job)!, limit, TimeSpan.FromSeconds(parse.GetValue(poll)), json,
                fleet.Resolve(parse), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> WaitAsync(string jobId, TimeSpan? timeout, TimeSpan poll, bool json, FleetTarget target, CancellationToken cancellationToken)
    {
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IJobStore>();
        var first = await StatusCommand.GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();

        async Task<JobRecord> PollAsync(Action<JobRecord> seen)
        {
            var job = first;
            while (true)
            {
                seen(job);
                if (job.Status.IsTerminal()) return job;
                var left = timeout is null ? poll : timeout.Value - clock.Elapsed;
                if (left <= TimeSpan.Zero) return job;
                await Task.Delay(left < poll ? left : poll, cancellationToken).ConfigureAwait(false);
                job = await StatusCommand.GetAsync(store, jobId, target, cancellationToken).ConfigureAwait(false);
            }
        }

        var console = FleetCommand.CreateConsole();
        var last = json
            ? await PollAsync(_ => { }).ConfigureAwait(false)
            : await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape(jobId), maxValue: 1.0);
                    return PollAsync(job =>
                    {
                        bar.Description = Describe(job);
                        bar.Value = Fraction(job);
                        if (job.Status.IsTerminal()) bar.StopTask();
                    });
                }).ConfigureAwait(false);

        var code = last.Status switch
        {
            JobStatus.Succeeded => ExitCodes.Success,
            JobStatus.Failed => ExitCodes.Failed,
            JobStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.TimedOut,
        };
        if (json)
        {
            Console.Out.WriteLine(JobView.ToJson(last, await store.GetHistoryAsync(jobId, cancellationToken).ConfigureAwait(false)));
        }
        else
        {
            Summary(console, last, clock.Elapsed);
        }

        return code;
    }

    private static void Summary(IAnsiConsole console, JobRecord job, TimeSpan waited)
    {
        if (!job.Status.IsTerminal())
        {
            console.MarkupLine(CultureInfo.InvariantCulture, "[yellow]timed out[/] after {0:F1} s; {1} is still {2}", waited.TotalSeconds, Markup.Escape(job.JobId), job.Status);
            return;
        }

        console.MarkupLine($"{Markup.Escape(job.JobId)}: {JobView.StatusMarkup(job.Status)} after {job.Attempts} attempt(s)");
        var metrics = job.FinalMetrics.Count > 0 ? job.FinalMetrics : job.Progress?.Metrics ?? new Dictionary<string, double>();
        if (JobView.Metrics(metrics, max: 8) is { } shown) console.WriteLine("metrics: " + shown);
        if (job.ModelUri is not null) console.WriteLine("model: " + job.ModelUri);
        if (job.Error is not null) console.WriteLine("error: " + job.Error);
    }

    private static string Describe(JobRecord job)
    {
        var parts = new List<string> { Markup.Escape(job.JobId), job.Status.ToString() };
        if (job.CancelRequested && !job.Status.IsTerminal()) parts.Add("cancel requested");
        if (job.Progress is { } p)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.Steps}"));
            if (JobView.Metrics(p.Metrics, max: 2) is { } m) parts.Add(Markup.Escape(m));
        }

        return string.Join("  ", parts);
    }

    /// <summary>How much of the job is done: the current epoch's steps count as part of it. A job that succeeded is full.</summary>
    private static double Fraction(JobRecord job)
    {
        if (job.Status == JobStatus.Succeeded) return 1.0;
        if (job.Progress is not { Epochs: > 0 } p) return 0;
        var inEpoch = p.Steps > 0 ? Math.Clamp((double)p.Step / p.Steps, 0, 1) : 0;
        return Math.Clamp((Math.Max(p.Epoch - 1, 0) + inEpoch) / p.Epochs, 0, 1);
    }
}
