using System.Runtime.InteropServices;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>CPU seconds (user + system) of this process and of its children that have been waited for: getrusage(2).</summary>
internal static partial class CpuTime
{
    public static double Now() => Seconds(0) + Seconds(-1);

    private static double Seconds(int who)
    {
        if (GetRusage(who, out var usage) != 0) throw new InvalidOperationException("getrusage failed");
        return usage.UserSeconds + (usage.UserMicros / 1e6) + usage.SystemSeconds + (usage.SystemMicros / 1e6);
    }

    // struct rusage on 64-bit Linux: two timevals, then 14 longs.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Rusage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        public fixed long Rest[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out Rusage usage);
}
