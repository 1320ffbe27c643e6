using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Cli;

/// <summary><c>tw run job.json</c>: trains a job on this machine and writes a run directory.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "the job spec (JSON)" };
        var output = new Option<string>("--output", "-o") { Description = "text (progress bars and tables) or json (the report on stdout)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var runs = new Option<DirectoryInfo>("--runs-dir") { Description = "where run directories are created", DefaultValueFactory = _ => new DirectoryInfo("runs") };
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "use this run directory (default: a new one under --runs-dir)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the newest good checkpoint of --run-dir, or of this job's newest run under --runs-dir" };
        var command = new Command("run", "train a job on this machine (CPU, or its GPU)") { spec, output, runs, runDir, resume };
        var launch = LaunchCommand.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
            // Data-parallel: as a rank (RANK/WORLD_SIZE set), or as the launcher of ranks (--nproc-per-node).
            RankCommand.IsRank ? RankCommand.RunAsync(parse.GetValue(spec)!, parse.GetValue(runDir), parse.GetValue(resume), cancellationToken)
            : launch.Requested(parse) ? launch.RunAsync(parse, parse.GetValue(spec)!, parse.GetValue(output) == "json", parse.GetValue(runs)!, parse.GetValue(runDir), parse.GetValue(resume), cancellationToken)
            : RunAsync(parse.GetValue(spec)!, parse.GetValue(output) == "json", parse.GetValue(runs)!, parse.GetValue(runDir), parse.GetValue(resume), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo specFile, bool json, DirectoryInfo runsRoot, DirectoryInfo? runDir, bool resume, CancellationToken cancellationToken)
    {
        JobSpec? spec = null;
        try
        {
            spec = await SpecFile.ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
            return await TrainAsync(spec, specFile, json, runsRoot, runDir, resume, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // One classifier for every failure: bad input exits 2 naming the field and file, the rest 3.
            var failure = FailureAdvice.For(JobFailure.From(e), spec);
            var errors = e is InvalidSpecException invalid ? invalid.Errors.Select(x => x.ToString()).ToArray() : [];
            return RunFailure.Report(json, failure, errors);
        }
    }

    private static async Task<int> TrainAsync(JobSpec spec, FileInfo specFile, bool json, DirectoryInfo runsRoot, DirectoryInfo? runDir, bool resume, CancellationToken cancellationToken)
    {
        var console = json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed, remote: RemoteData.For(spec.Data));
        var existing = runDir ?? (resume ? NewestRun(runsRoot, spec.Name) : null);
        if (resume && existing is null) throw new JobInputException("--resume", $"no run of '{spec.Name}' under {runsRoot.FullName}");
        var run = existing is null ? RunDirectory.CreateUnder(runsRoot.FullName, spec.Name) : new RunDirectory(existing.FullName);
        var store = new DirectoryCheckpointStore(spec.Checkpointing.Directory ?? run.CheckpointDirectory);
        var models = SpecFile.ModelLocations(specFile);
        Checkpoint? from = null;
        if (resume)
        {
            from = await store.ReadNewestGoodAsync(e => Console.Error.WriteLine($"tw run: skipping {e.Message}"), cancellationToken).ConfigureAwait(false)
                ?? throw new JobInputException("--resume", $"no good checkpoint in {store.Location}");
            if (!json) console.MarkupLine($"resuming from checkpoint [blue]{from.Manifest.Id}[/] (epoch {from.Manifest.Epoch}, step {from.Manifest.Step})");
        }

        await using var sink = new JsonlMetricsSink(run.MetricsFile);
        Torch.Initialize(spec.Training.Threads);
        if (!json) RunView.Header(console, spec, data, Torch.ResolveDevice(spec.Training.Device), run.Path);
        var result = json
            ? await new Trainer(spec, data, store, sink, modelLocations: models).RunAsync(cancellationToken, from).ConfigureAwait(false)
            : await RunView.WithProgressAsync(console, observer => new Trainer(spec, data, store, sink, observer, models).RunAsync(cancellationToken, from)).ConfigureAwait(false);

        var report = run.WriteResults(spec, result);
        if (json) Console.Out.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else RunView.Summary(console, result, run);
        return result.StopReason == StopReason.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
    }

    private static DirectoryInfo? NewestRun(DirectoryInfo runsRoot, string job) =>
        runsRoot.Exists ? runsRoot.GetDirectories(job + "-*").OrderBy(d => d.Name, StringComparer.Ordinal).LastOrDefault() : null;
}
