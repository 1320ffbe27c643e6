using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Worker;

/// <summary>How the worker starts a job's ranks: which program, which environment, which port and limits.</summary>
internal sealed class RankLaunch(S3DatasetCache cache, IOptions<WorkerOptions> options)
{
    private readonly WorkerOptions _options = options.Value;
    private readonly Lazy<RankProgram> _program = new(() => RankProgram.Find(options.Value.TwExecutable));

    public LaunchOptions OptionsFor(JobSlot slot, string specFile, string runDirectory, bool resume)
    {
        var program = _program.Value;
        var environment = new Dictionary<string, string>
        {
            // TorchScript models fetched from S3 live in the cache; the job's own directory holds the rest.
            [ModelLocationPolicy.Variable] = string.Join(':', cache.Root, Path.GetDirectoryName(specFile)!),
            // Likewise local data: a job reads what was fetched for it, never the instance's own files.
            [Engine.Data.DataLocationPolicy.Variable] = string.Join(':', cache.Root, Path.GetDirectoryName(specFile)!),
        };
        if (slot.Gpus.Count > 0) environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', slot.Gpus);
        // Jobs side by side share the cores: OpenMP threads that spin after each op would slow all of them.
        if (_options.MaxConcurrentJobs > 1 && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) environment["OMP_WAIT_POLICY"] = "PASSIVE";
        return new LaunchOptions
        {
            Executable = program.Executable,
            Arguments = program.Arguments(specFile, runDirectory, resume),
            ProcessesPerNode = slot.Processes,
            // A fixed port can be taken by anything on the machine (an ephemeral client port); a free one cannot, at launch.
            MasterPort = _options.MasterPort == 0 ? LaunchOptions.FreePort() : _options.MasterPort + slot.Index,
            MaxRestarts = _options.MaxRankRestarts,
            CollectiveTimeout = _options.CollectiveTimeout,
            ProgressTimeout = _options.ProgressTimeout,
            ResumeArguments = resume ? [] : ["--resume"],
            Environment = environment,
        };
    }
}
