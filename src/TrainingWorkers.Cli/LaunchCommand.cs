using TrainingWorkers.Core.Failures;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Cli;

/// <summary>
/// <c>tw run job.json --nproc-per-node N</c>: the launcher. Starts N ranks of <c>tw run</c> on this node
/// (torchrun's environment), shows what they report, and fails fast and restarts as <see cref="Launcher"/> says.
/// </summary>
internal sealed class LaunchCommand
{
    private readonly Option<int?> _nproc = new("--nproc-per-node") { Description = "data-parallel: rank processes on this node (one per GPU on CUDA); starts the launcher" };
    private readonly Option<int> _nnodes = new("--nnodes") { Description = "nodes in the group", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _nodeRank = new("--node-rank") { Description = "this node's index, 0..nnodes-1; node 0 hosts rank 0", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _masterAddr = new("--master-addr") { Description = "rank 0's host, where the TCPStore listens", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> _masterPort = new("--master-port") { Description = "the TCPStore port", DefaultValueFactory = _ => 29500 };
    private readonly Option<int> _maxRestarts = new("--max-restarts") { Description = "restarts of the whole group from the last checkpoint after a failure", DefaultValueFactory = _ => 3 };
    private readonly Option<double> _timeout = new("--collective-timeout") { Description = "seconds before a rendezvous or collective fails", DefaultValueFactory = _ => 300 };
    private readonly Option<double> _progressTimeout = new("--progress-timeout") { Description = "seconds without a word from a rank before the group is stopped", DefaultValueFactory = _ => 600 };

    public static LaunchCommand AddTo(Command command)
    {
        var launch = new LaunchCommand();
        foreach (var o in new Option[] { launch._nproc, launch._nnodes, launch._nodeRank, launch._masterAddr, launch._masterPort, launch._maxRestarts, launch._timeout, launch._progressTimeout })
        {
            command.Options.Add(o);
        }

        return launch;
    }

    public bool Requested(ParseResult parse) => parse.GetValue(_nproc) is not null;

    public async Task<int> RunAsync(ParseResult parse, FileInfo specFile, bool json, DirectoryInfo runsRoot, DirectoryInfo? runDir, bool resume, CancellationToken cancellationToken)
    {
        JobSpec spec;
        string device;
        try
        {
            spec = await SpecFile.ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
            device = Torch.ResolveDevice(spec.Training.Device);
        }
        catch (Exception e)
        {
            return RunFailure.Report(json, JobFailure.From(e), e is InvalidSpecException invalid ? invalid.Errors.Select(x => x.ToString()).ToArray() : null);
        }

        var options = new LaunchOptions
        {
            Executable = Environment.ProcessPath ?? "dotnet",
            Arguments = [],
            ProcessesPerNode = parse.GetValue(_nproc)!.Value,
            Nodes = parse.GetValue(_nnodes),
            NodeRank = parse.GetValue(_nodeRank),
            MasterAddress = parse.GetValue(_masterAddr)!,
            MasterPort = parse.GetValue(_masterPort),
            MaxRestarts = parse.GetValue(_maxRestarts),
            CollectiveTimeout = TimeSpan.FromSeconds(parse.GetValue(_timeout)),
            ProgressTimeout = TimeSpan.FromSeconds(parse.GetValue(_progressTimeout)),
            ResumeArguments = resume ? [] : ["--resume"],
        };
        var onCuda = device.StartsWith("cuda", StringComparison.Ordinal);
        var errors = options.Validate(onCuda, onCuda ? Torch.CudaDeviceCount : 0);
        if (errors.Count > 0) return RunFailure.Report(json, JobFailure.Of(FailureKind.InvalidInput, string.Join(Environment.NewLine, errors), field: "--nproc-per-node"), errors);

        var run = runDir is not null ? new RunDirectory(runDir.FullName)
            : resume && runsRoot.Exists && runsRoot.GetDirectories(spec.Name + "-*").OrderBy(d => d.Name, StringComparer.Ordinal).LastOrDefault() is { } newest ? new RunDirectory(newest.FullName)
            : RunDirectory.CreateUnder(runsRoot.FullName, spec.Name);
        var arguments = new List<string>();
        // Started as `dotnet tw.dll`: the ranks need the dll too.
        if (Path.GetFileNameWithoutExtension(options.Executable) == "dotnet") arguments.Add(typeof(LaunchCommand).Assembly.Location);
        arguments.AddRange(["run", specFile.FullName, "--run-dir", run.Path]);
        if (resume) arguments.Add("--resume");
        options = options with { Arguments = arguments };

        var view = new LaunchView(json);
        view.Started(options, run.Path);
        var result = await new Launcher(options, view).RunAsync(cancellationToken).ConfigureAwait(false);
        view.Finished(result, options, run.Path);
        if (json) Console.Out.WriteLine(Report(result, options, run.Path).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return result.FailureKind?.ExitCode() ?? ExitCodes.Success;
    }

    private static JsonObject Report(LaunchResult result, LaunchOptions options, string runPath)
    {
        var report = new JsonObject
        {
            ["status"] = result.Succeeded ? "completed" : result.Cancelled ? "cancelled" : "failed",
            ["world_size"] = options.WorldSize,
            ["node_rank"] = options.NodeRank,
            ["restarts"] = result.Restarts,
            ["run_dir"] = runPath,
        };
        if (result.Failure is { } f)
        {
            report["error"] = new JsonObject { ["rank"] = f.Rank, ["error"] = f.Failure.Kind.Code(), ["message"] = f.Failure.Message, ["field"] = f.Failure.Field, ["file"] = f.Failure.File };
        }

        if (result.Report is { } file && File.Exists(file)) report["report"] = JsonNode.Parse(File.ReadAllText(file));
        return report;
    }
}
