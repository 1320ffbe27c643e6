namespace TrainingWorkers.Worker;

/// <summary>How the worker starts a rank: <c>tw run spec --run-dir dir</c>, from <c>tw</c> or <c>dotnet tw.dll</c>.</summary>
internal sealed record RankProgram(string Executable, IReadOnlyList<string> Prefix)
{
    /// <summary>The configured <c>tw</c>, else the one beside this program, else <c>tw</c> on PATH.</summary>
    public static RankProgram Find(string? configured)
    {
        var candidates = configured is { Length: > 0 } ? [configured]
            : new[] { Path.Combine(AppContext.BaseDirectory, "tw"), Path.Combine(AppContext.BaseDirectory, "tw.dll") }
                .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "tw")));
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new WorkerConfigurationException("Worker:TwExecutable: no tw found beside the worker or on PATH; set it to the tw program (or tw.dll)");
        return found.EndsWith(".dll", StringComparison.Ordinal) ? new RankProgram("dotnet", [Path.GetFullPath(found)]) : new RankProgram(Path.GetFullPath(found), []);
    }

    public IReadOnlyList<string> Arguments(string specFile, string runDirectory, bool resume)
    {
        var args = new List<string>(Prefix) { "run", specFile, "--run-dir", runDirectory };
        if (resume) args.Add("--resume");
        return args;
    }
}
