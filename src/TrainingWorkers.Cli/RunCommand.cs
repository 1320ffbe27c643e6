using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;
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
        var console = json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        JobSpec spec;
        DataSplits data;
        try
        {
            spec = await SpecFile.ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
            data = DatasetLoader.Load(spec.Data, spec.Training.Seed, remote: RemoteData.For(spec.Data));
        }
        catch (InvalidSpecException e)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_spec", e.Message, e.Errors.Select(x => x.ToString()));
        }
        catch (Exception e) when (e is JobInputException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_data", e.Message, []);
        }

        var existing = runDir ?? (resume ? NewestRun(runsRoot, spec.Name) : null);
        if (resume && existing is null) return Fail(json, ExitCodes.InvalidInput, "nothing_to_resume", $"--resume: no run of '{spec.Name}' under {runsRoot.FullName}", []);
        var run = existing is null ? RunDirectory.CreateUnder(runsRoot.FullName, spec.Name) : new RunDirectory(existing.FullName);
        var store = new DirectoryCheckpointStore(spec.Checkpointing.Directory ?? run.CheckpointDirectory);
        TrainingResult result;
        var models = SpecFile.ModelLocations(specFile);
        try
        {
            Checkpoint? from = null;
            if (resume)
            {
                from = await store.ReadNewestGoodAsync(e => Console.Error.WriteLine($"tw run: skipping {e.Message}"), cancellationToken).ConfigureAwait(false);
                if (from is null) return Fail(json, ExitCodes.InvalidInput, "nothing_to_resume", $"--resume: no good checkpoint in {store.Location}", []);
                if (!json) console.MarkupLine($"resuming from checkpoint [blue]{from.Manifest.Id}[/] (epoch {from.Manifest.Epoch}, step {from.Manifest.Step})");
            }

            await using var sink = new JsonlMetricsSink(run.MetricsFile);
            Torch.Initialize(spec.Training.Threads);
            if (!json) RunView.Header(console, spec, data, Torch.ResolveDevice(spec.Training.Device), run.Path);
            result = json
                ? await new Trainer(spec, data, store, sink, modelLocations: models).RunAsync(cancellationToken, from).ConfigureAwait(false)
                : await RunView.WithProgressAsync(console, observer => new Trainer(spec, data, store, sink, observer, models).RunAsync(cancellationToken, from)).ConfigureAwait(false);
        }
        catch (CorruptCheckpointException e)
        {
            return Fail(json, ExitCodes.InvalidInput, "bad_checkpoint", e.Message, []);
        }
        catch (TorchException e) when (e.Kind == TorchErrorKind.Argument)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_model", e.Message, []);
        }
        catch (ArgumentException e)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_model", e.Message, []);
        }
        catch (FileNotFoundException e)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_model", e.Message, []);
        }
        catch (TorchException e)
        {
            return Fail(json, ExitCodes.TrainingFailed, "training_failed", e.Message, []);
        }

        var report = run.WriteResults(spec, result);
        if (json) Console.Out.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else RunView.Summary(console, result, run);
        return result.StopReason == StopReason.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
    }

    private static DirectoryInfo? NewestRun(DirectoryInfo runsRoot, string job) =>
        runsRoot.Exists ? runsRoot.GetDirectories(job + "-*").OrderBy(d => d.Name, StringComparer.Ordinal).LastOrDefault() : null;

    private static int Fail(bool json, int code, string kind, string message, IEnumerable<string> errors)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { error = kind, message, errors = errors.ToArray() }));
        }
        else
        {
            Console.Error.WriteLine($"tw run: {message}");
        }

        return code;
    }
}
