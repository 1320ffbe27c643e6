using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using TrainingWorkers.Cli.Fleet;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Cli.Studies;

/// <summary>
/// <c>tw study status|list|cancel|wait</c>: the studies a coordinator runs. <c>wait</c> exits 0 Succeeded, 3 Failed,
/// 130 Cancelled, 124 when --timeout passes first, as <c>tw wait</c> does for a job.
/// </summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var command = new Command("study", "show, list, cancel or wait for fine-tune pipelines and sweeps");
        command.Subcommands.Add(Status());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Wait());
        return command;
    }

    private static Command Status()
    {
        var study = new Argument<string>("study") { Description = "the study id" };
        var output = FleetOptions.CreateOutput();
        var command = new Command("status", "a study's state, progress, stages or trials, result and history") { study, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("study status", json, async () =>
            {
                var target = fleet.Resolve(parse);
                await using var services = target.CreateServices();
                var store = services.GetRequiredService<IStudyStore>();
                var record = await GetAsync(store, parse.GetValue(study)!, target, cancellationToken).ConfigureAwait(false);
                var history = await store.GetHistoryAsync(record.StudyId, cancellationToken).ConfigureAwait(false);
                if (json) Console.Out.WriteLine(StudyView.ToJson(record, history));
                else StudyView.WriteStatus(FleetCommand.CreateConsole(), record, history);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command List()
    {
        var limit = new Option<int>("--limit") { Description = "how many studies, newest first (1..1000)", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError($"--limit: must be between 1 and 1000, got {r.GetValueOrDefault<int>()}");
        });
        var output = FleetOptions.CreateOutput();
        var command = new Command("list", "the fleet's studies, newest first") { limit, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("study list", json, async () =>
            {
                await using var services = fleet.Resolve(parse).CreateServices();
                var studies = await services.GetRequiredService<IStudyStore>().ListAsync(parse.GetValue(limit), cancellationToken).ConfigureAwait(false);
                if (json) Console.Out.WriteLine(StudyView.ToJson(studies));
                else StudyView.WriteList(FleetCommand.CreateConsole(), studies);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Cancel()
    {
        var study = new Argument<string>("study") { Description = "the study id" };
        var command = new Command("cancel", "cancel a study and its running jobs") { study };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => FleetCommand.RunAsync("study cancel", json: false, async () =>
        {
            var target = fleet.Resolve(parse);
            await using var services = target.CreateServices();
            var store = services.GetRequiredService<IStudyStore>();
            var before = await GetAsync(store, parse.GetValue(study)!, target, cancellationToken).ConfigureAwait(false);
            var after = before.Status.IsTerminal() ? before.Status : await store.RequestCancelAsync(before.StudyId, cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine(after switch
            {
                StudyStatus.Cancelled when !before.Status.IsTerminal() => $"{before.StudyId}: cancelled (no coordinator had started it)",
                StudyStatus.Running => $"{before.StudyId}: cancel requested: its coordinator cancels its running jobs at its next step",
                var status => $"{before.StudyId}: already finished ({status}); nothing to cancel",
            });
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Wait()
    {
        var study = new Argument<string>("study") { Description = "the study id" };
        var timeout = new Option<double?>("--timeout") { Description = "give up after this many seconds (exit 124); default: wait for ever" };
        var poll = new Option<double>("--poll") { Description = "seconds between two reads of the study", DefaultValueFactory = _ => 2 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } t && !(t > 0)) r.AddError($"--timeout: must be > 0 seconds, got {t}");
        });
        poll.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is var p && p is not (>= 0.1 and <= 3600)) r.AddError($"--poll: must be between 0.1 and 3600 seconds, got {p}");
        });
        var output = FleetOptions.CreateOutput();
        var command = new Command("wait", "wait until a study ends; progress while it runs, the result after; the exit code says how it ended") { study, timeout, poll, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            var limit = parse.GetValue(timeout) is { } t ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
            return FleetCommand.RunAsync("study wait", json, () => WaitAsync(parse.GetValue(study)!, limit, TimeSpan.FromSeconds(parse.GetValue(poll)), json, fleet.Resolve(parse), cancellationToken),
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> WaitAsync(string studyId, TimeSpan? timeout, TimeSpan poll, bool json, FleetTarget target, CancellationToken cancellationToken)
    {
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IStudyStore>();
        var first = await GetAsync(store, studyId, target, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();

        async Task<StudyRecord> PollAsync(Action<StudyRecord> seen)
        {
            var study = first;
            while (true)
            {
                seen(study);
                if (study.Status.IsTerminal()) return study;
                var left = timeout is null ? poll : timeout.Value - clock.Elapsed;
                if (left <= TimeSpan.Zero) return study;
                await Task.Delay(left < poll ? left : poll, cancellationToken).ConfigureAwait(false);
                study = await GetAsync(store, studyId, target, cancellationToken).ConfigureAwait(false);
            }
        }

        var console = FleetCommand.CreateConsole();
        var last = json
            ? await PollAsync(_ => { }).ConfigureAwait(false)
            : await console.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape(studyId), maxValue: 1.0);
                    return PollAsync(s =>
                    {
                        var progress = StudyProgress.Of(s);
                        bar.Description = Markup.Escape(progress.Summary.Length == 0 ? $"{s.StudyId} {s.Status}" : $"{s.StudyId} {s.Status}: {progress.Summary}");
                        bar.Value = s.Status == StudyStatus.Succeeded ? 1.0 : progress.Fraction;
                        if (s.Status.IsTerminal()) bar.StopTask();
                    });
                }).ConfigureAwait(false);

        var history = await store.GetHistoryAsync(studyId, cancellationToken).ConfigureAwait(false);
        if (json) Console.Out.WriteLine(StudyView.ToJson(last, history));
        else if (last.Status.IsTerminal()) StudyView.WriteStatus(console, last, history);
        else console.MarkupLine($"[yellow]timed out[/]; {Markup.Escape(studyId)} is still {last.Status}");
        return last.Status switch
        {
            StudyStatus.Succeeded => ExitCodes.Success,
            StudyStatus.Failed => ExitCodes.Failed,
            StudyStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.TimedOut,
        };
    }

    private static async Task<StudyRecord> GetAsync(IStudyStore store, string studyId, FleetTarget target, CancellationToken cancellationToken) =>
        await store.GetAsync(studyId, cancellationToken).ConfigureAwait(false)
        ?? throw new FleetInputException($"no study '{studyId}' in table {target.Table}{(target.EnvironmentName is null ? "" : $" (environment '{target.EnvironmentName}')")}", "unknown_study");
}
