using System.Reflection;
using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

/// <summary>
/// Finds libtw_native.so explicitly, so a machine without libtorch (or without the built shim)
/// fails at start-up with every path tried and why each failed, not at the first training step.
/// </summary>
internal static partial class NativeLibraryLoader
{
    /// <summary>Overrides every other location.</summary>
    public const string PathVariable = "TW_NATIVE_LIB";
    private const string FileName = "libtw_native.so";
    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static NativeLibraryReport? _report;

    public static void EnsureLoaded()
    {
        var report = TryLoad();
        if (report.LoadedFrom is not null) return;
        throw new DllNotFoundException(
            $"could not load {FileName} (the libtorch shim). Build it with `make native` (needs libtorch: `make setup`), " +
            $"or point {PathVariable} at it. Tried:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", report.Failures)}");
    }

    /// <summary>Loads the shim unless it is loaded, and says from where and what failed before; never throws for a missing library.</summary>
    public static NativeLibraryReport TryLoad()
    {
        lock (Gate)
        {
            if (_report is { LoadedFrom: not null }) return _report;
            // OMP_WAIT_POLICY stays libgomp's default (idle workers spin briefly, then sleep) unless
            // PreferPassiveWaiting ran: a training run makes its libtorch calls from one thread
            // (TrainingThread), so there is one OpenMP team, and spinning makes small steps faster.
            var failures = new List<string>();
            foreach (var path in Candidates())
            {
                try
                {
                    _handle = NativeLibrary.Load(path);
                    NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
                    return _report = new NativeLibraryReport(Path.GetFullPath(path), failures);
                }
                catch (DllNotFoundException e)
                {
                    failures.Add($"{path}: {e.Message.ReplaceLineEndings(" ")}");
                }
            }

            return _report = new NativeLibraryReport(null, failures);
        }
    }

    /// <summary>
    /// Sets OMP_WAIT_POLICY=PASSIVE unless the environment sets it; libgomp reads it once, so this must
    /// run before the first libtorch call (it has no effect afterwards).
    /// </summary>
    public static void PreferPassiveWaiting()
    {
        lock (Gate)
        {
            // libc's environment, which libgomp reads; .NET's own copy is not.
            _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == NativeMethods.Library ? _handle : IntPtr.Zero;

    private static IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
            yield break;
        }

        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        // A checkout's build output, for `dotnet run` and tests started from anywhere inside it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "build", "native", FileName);
            if (File.Exists(candidate))
            {
                yield return candidate;
                yield break;
            }
        }
    }
}
