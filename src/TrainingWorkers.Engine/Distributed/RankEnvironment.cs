using System.Collections;
using System.Globalization;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// A rank's place in the group, from torchrun's environment variables (RANK, WORLD_SIZE,
/// LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and ours: TW_DIST_TIMEOUT_SECONDS
/// (collectives and rendezvous), TW_RESTART (how many times the launcher restarted the group)
/// and TW_LAUNCHER (1: stdout is the launcher's channel, and stdin closing means it is gone).
/// </summary>
public sealed record RankEnvironment
{
    public required int Rank { get; init; }
    public required int WorldSize { get; init; }
    public required int LocalRank { get; init; }
    public required int LocalWorldSize { get; init; }
    public required string MasterAddress { get; init; }
    public required int MasterPort { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public int Restart { get; init; }
    public bool UnderLauncher { get; init; }

    /// <summary>Whether this process was started as a rank (RANK and WORLD_SIZE are set).</summary>
    public static bool IsRank(IDictionary environment) => environment.Contains("RANK") && environment.Contains("WORLD_SIZE");

    /// <summary>Reads the variables; throws <see cref="JobInputException"/> naming every bad one.</summary>
    public static RankEnvironment Read(IDictionary environment)
    {
        var errors = new List<string>();
        int Int(string name, int? fallback, int min, int max)
        {
            var text = environment[name] as string;
            if (text is null)
            {
                if (fallback is { } f) return f;
                errors.Add($"{name} is not set");
                return min;
            }

            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                errors.Add($"{name} must be an integer in {min}..{max}, got \"{text}\"");
                return min;
            }

            return v;
        }

        var world = Int("WORLD_SIZE", null, 1, 65536);
        var rank = Int("RANK", null, 0, 65535);
        var localWorld = Int("LOCAL_WORLD_SIZE", 1, 1, 65536);
        var env = new RankEnvironment
        {
            Rank = rank,
            WorldSize = world,
            LocalRank = Int("LOCAL_RANK", 0, 0, 65535),
            LocalWorldSize = localWorld,
            MasterAddress = environment["MASTER_ADDR"] as string ?? "127.0.0.1",
            MasterPort = Int("MASTER_PORT", 29500, 1, 65535),
            Timeout = TimeSpan.FromSeconds(Int("TW_DIST_TIMEOUT_SECONDS", 300, 1, 86400)),
            Restart = Int("TW_RESTART", 0, 0, 1000),
            UnderLauncher = environment["TW_LAUNCHER"] as string == "1",
        };
        if (rank >= world) errors.Add($"RANK must be less than WORLD_SIZE ({world}), got {rank}");
        if (env.LocalRank >= localWorld) errors.Add($"LOCAL_RANK must be less than LOCAL_WORLD_SIZE ({localWorld}), got {env.LocalRank}");
        if (errors.Count > 0) throw new JobInputException("environment", "bad rank environment: " + string.Join("; ", errors));
        return env;
    }

    /// <summary>This rank's device for a spec's device: its own GPU (LOCAL_RANK) on CUDA.</summary>
    public string DeviceFor(string resolvedDevice) => resolvedDevice.StartsWith("cuda", StringComparison.Ordinal) ? $"cuda:{LocalRank}" : resolvedDevice;
}
