namespace TrainingWorkers.Engine.Native;

/// <summary>
/// Where the shim (libtw_native.so) was loaded from, and every path tried before it with why it failed.
/// <see cref="LoadedFrom"/> is null when no path worked: <see cref="Failures"/> then lists them all.
/// </summary>
public sealed record NativeLibraryReport(string? LoadedFrom, IReadOnlyList<string> Failures);
