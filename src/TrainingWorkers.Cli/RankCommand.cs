using System.Diagnostics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Cli;

/// <summary>
/// <c>tw run</c> started as a rank (RANK and WORLD_SIZE set, by our launcher or torchrun): trains
/// one rank of the group. stdout carries only <see cref="RankEvent"/> lines; everything else goes to stderr.
/// </summary>
internal static class RankCommand
{
    public static bool IsRank => RankEnvironment.IsRank(Environment.GetEnvironmentVariables());

    public static async Task<int> RunAsync(FileInfo specFile, DirectoryInfo? runDir, bool resume, CancellationToken cancellationToken)
    {
        var protocol = new StreamWriter(Console.OpenStandardOutput());
        Console.SetOut(Console.Error);
        RankEnvironment env;
        try
        {
            env = RankEnvironment.Read(Environment.GetEnvironmentVariables());
        }
        catch (ArgumentException e)
        {
            RankRun.Fail(new RankChannel(protocol, -1), RankOutcome.InvalidInput, "invalid_rank_environment", e.Message);
            return ExitCodes.InvalidInput;
        }

        var channel = new RankChannel(protocol, env.Rank);
        if (env.UnderLauncher) WatchLauncher();
        JobSpec spec;
        try
        {
            spec = await SpecFile.ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidSpecException e)
        {
            RankRun.Fail(channel, RankOutcome.InvalidInput, "invalid_spec", e.Message);
            return ExitCodes.InvalidInput;
        }
        catch (IOException e)
        {
            RankRun.Fail(channel, RankOutcome.InvalidInput, "invalid_spec", e.Message);
            return ExitCodes.InvalidInput;
        }

        var run = runDir is null ? RunDirectory.CreateUnder("runs", spec.Name) : new RunDirectory(runDir.FullName);
        var outcome = await RankRun.RunAsync(env, spec, () => DatasetLoader.Load(spec.Data, spec.Training.Seed, remote: RemoteData.For(spec.Data)), run, resume, channel, SpecFile.ModelLocations(specFile), cancellationToken).ConfigureAwait(false);
        return outcome switch
        {
            RankOutcome.Completed => ExitCodes.Success,
            RankOutcome.Cancelled => ExitCodes.Cancelled,
            RankOutcome.InvalidInput => ExitCodes.InvalidInput,
            _ => ExitCodes.TrainingFailed,
        };
    }

    /// <summary>The launcher holds our stdin open; end of input means it is gone, and a rank never outlives it.</summary>
    private static void WatchLauncher()
    {
        var watcher = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (stdin.Read(buffer) > 0)
                {
                    // The launcher writes nothing; reading only waits for the pipe to close.
                }
            }
            catch (IOException)
            {
                // A broken pipe says the same as end of input.
            }

            Console.Error.WriteLine("tw rank: the launcher is gone; exiting");
            Process.GetCurrentProcess().Kill();
        })
        { IsBackground = true, Name = "launcher watch" };
        watcher.Start();
    }
}
