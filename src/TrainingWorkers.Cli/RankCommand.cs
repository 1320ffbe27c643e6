using System.Diagnostics;
using TrainingWorkers.Core.Failures;
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
        catch (JobInputException e)
        {
            return new RankChannel(protocol, -1).Failed(JobFailure.From(e));
        }

        var channel = new RankChannel(protocol, env.Rank);
        // Whatever kills the process, the launcher hears why first: a rank reports every error before it exits.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            channel.Failed(e.ExceptionObject is Exception x ? JobFailure.From(x) : JobFailure.Of(FailureKind.Crashed, "an unhandled error"));
        if (env.UnderLauncher) WatchLauncher();
        JobSpec spec;
        try
        {
            spec = await SpecFile.ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return channel.Failed(JobFailure.From(e));
        }

        var run = runDir is null ? RunDirectory.CreateUnder("runs", spec.Name) : new RunDirectory(runDir.FullName);
        return await RankRun.RunAsync(env, spec, () => DatasetLoader.Load(spec.Data, spec.Training.Seed, remote: RemoteData.For(spec.Data)), run, resume, channel, SpecFile.ModelLocations(specFile), cancellationToken).ConfigureAwait(false);
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
