using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Which local directories a job's data may be read from. A worker sets <c>TW_DATA_ALLOW</c> (a ':'-separated
/// list: its dataset cache and the job's directory) for its ranks, so a job cannot read the instance's own
/// files (<c>"train": "/etc/passwd"</c>); <c>tw run</c> on a user's machine reads anything when it is unset.
/// </summary>
public sealed class DataLocationPolicy
{
    public const string Variable = "TW_DATA_ALLOW";

    private DataLocationPolicy(IReadOnlyList<string>? allowed)
    {
        Allowed = allowed;
    }

    /// <summary>Everything may be read.</summary>
    public static DataLocationPolicy Unrestricted { get; } = new(null);

    /// <summary>The allowed directories; null when nothing is restricted.</summary>
    public IReadOnlyList<string>? Allowed { get; }

    /// <summary>Only under these directories (and Debian's Fashion-MNIST, which the alias names).</summary>
    public static DataLocationPolicy Only(IEnumerable<string> directories) =>
        new(directories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Append(DataSpec.DebianFashionMnistDirectory).ToList());

    /// <summary>The operator's <c>TW_DATA_ALLOW</c>; unrestricted when it is unset.</summary>
    public static DataLocationPolicy FromEnvironment()
    {
        var setting = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(setting) ? Unrestricted : Only(setting.Split(':', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Throws <see cref="JobInputException"/> for <paramref name="field"/> unless <paramref name="path"/> lies under an
    /// allowed directory. The path is judged as written before anything on disk is looked at, so a refusal says the
    /// same whether or not the file exists; a link that leads out of the allowed directories is refused the same way.
    /// </summary>
    public void Check(string path, string field)
    {
        if (Allowed is null) return;
        var full = Path.GetFullPath(path);
        if (!IsAllowed(full)) throw Refusal(path, field);
        if (PosixFile.RealPath(full) is { } real && !IsAllowed(real)) throw Refusal(path, field);
    }

    private bool IsAllowed(string full) =>
        Allowed!.Any(dir => full == dir || full.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    private static JobInputException Refusal(string path, string field) =>
        new(field, $"is outside the local data locations this worker allows; use an s3:// URI (an operator allows more directories with {Variable})", path);
}
