using System.Globalization;
using TrainingWorkers.Engine;

namespace TrainingWorkers.Benchmarks;

/// <summary>Where the benchmark runs: the repository, the built `tw`, the PyTorch peer, and the machine.</summary>
internal sealed class BenchEnvironment
{
    /// <summary>Debian's interpreter: its torch 1.13 is the libtorch our shim links (the `python3` on PATH has none).</summary>
    public const string Python = "/usr/bin/python3";

    private BenchEnvironment(string root)
    {
        Root = root;
        Tw = Path.Combine(root, "src/TrainingWorkers.Cli/bin/Release/net10.0/tw");
        PeerScript = Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
    }

    public string Root { get; }
    public string Tw { get; }
    public string PeerScript { get; }

    public string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>Finds the repository (the folder with TrainingWorkers.sln) above the working directory or this program.</summary>
    public static BenchEnvironment Locate()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TrainingWorkers.sln"))) return new BenchEnvironment(dir.FullName);
            }
        }

        throw new DirectoryNotFoundException("no TrainingWorkers.sln above the working directory: run from the repository");
    }

    /// <summary>Fails at once, saying what to do, when `tw` or the PyTorch peer is missing.</summary>
    public void CheckTools(bool needsPython)
    {
        if (!File.Exists(Tw)) throw new FileNotFoundException($"{Tw} is missing: run `make build` first");
        if (needsPython && !File.Exists(Python)) throw new FileNotFoundException($"{Python} is missing: `make setup` installs python3-torch");
    }

    /// <summary>The header every report starts with: date, machine, libtorch and the command that produced it.</summary>
    public static string Header(string mode)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        var lines = new (string Key, string Value)[]
        {
            ("date", DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)),
            ("machine", $"{Environment.ProcessorCount} cores, {cpu} ({Environment.MachineName})"),
            ("load average", $"{load} at start (1/5/15 min): on a shared machine timings are noisy, compare min/median/max"),
            ("libtorch", $"{Torch.Version} (our shim); the peer is Debian's python3-torch on the same libtorch"),
            ("command", $"{mode switch { "throughput" => "make bench: ", "accuracy" => "make accuracy: ", _ => "" }}dotnet run --project tests/TrainingWorkers.Benchmarks -c Release --no-build -- {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}"),
        };
        return string.Concat(lines.Select(l => $"{l.Key + ':',-14}{l.Value}\n"));
    }
}
