using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Data;
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
        var command = new Command("run", "train a job on this machine (CPU, or its GPU)") { spec, output, runs };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(spec)!, parse.GetValue(output) == "json", parse.GetValue(runs)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo specFile, bool json, DirectoryInfo runsRoot, CancellationToken cancellationToken)
    {
        var console = json ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
        JobSpec spec;
        DataSplits data;
        try
        {
            spec = JobSpecParser.Parse(await File.ReadAllTextAsync(specFile.FullName, cancellationToken).ConfigureAwait(false));
            spec = spec with { Data = spec.Data.RelativeTo(specFile.DirectoryName!) };
            data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        }
        catch (InvalidSpecException e)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_spec", e.Message, e.Errors.Select(x => x.ToString()));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_data", e.Message, []);
        }

        var run = RunDirectory.CreateUnder(runsRoot.FullName, spec.Name);
        var store = new DirectoryCheckpointStore(spec.Checkpointing.Directory ?? run.CheckpointDirectory);
        TrainingResult result;
        try
        {
            await using var sink = new JsonlMetricsSink(run.MetricsFile);
            Torch.Initialize(spec.Training.Threads);
            if (!json) RunView.Header(console, spec, data, Torch.ResolveDevice(spec.Training.Device), run.Path);
            result = json
                ? await new Trainer(spec, data, store, sink).RunAsync(cancellationToken).ConfigureAwait(false)
                : await RunView.WithProgressAsync(console, observer => new Trainer(spec, data, store, sink, observer).RunAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (TorchException e) when (e.Kind == TorchErrorKind.Argument)
        {
            return Fail(json, ExitCodes.InvalidInput, "invalid_model", e.Message, []);
        }
        catch (ArgumentException e)
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
