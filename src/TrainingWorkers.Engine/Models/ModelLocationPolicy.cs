using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Models;

/// <summary>
/// A TorchScript file is code: it is loaded only from directories the operator allows
/// (<c>TW_MODEL_ALLOW</c>, a ':'-separated list), so a job cannot make a worker run code from anywhere.
/// </summary>
public sealed class ModelLocationPolicy
{
    public const string Variable = "TW_MODEL_ALLOW";

    public ModelLocationPolicy(IEnumerable<string> allowedDirectories)
    {
        Allowed = allowedDirectories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).ToList();
    }

    public IReadOnlyList<string> Allowed { get; }

    /// <summary>The operator's setting, or <paramref name="fallback"/> when it is unset (tw run: the spec file's directory).</summary>
    public static ModelLocationPolicy FromEnvironment(params string[] fallback)
    {
        var setting = Environment.GetEnvironmentVariable(Variable);
        return new ModelLocationPolicy(string.IsNullOrWhiteSpace(setting) ? fallback : setting.Split(':', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Throws <see cref="JobInputException"/> naming <paramref name="field"/> unless the file lies under an allowed directory.</summary>
    public void Check(string path, string field)
    {
        var full = Path.GetFullPath(path);
        // Judge where a symbolic link really points, not where it sits.
        var target = File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        if (Allowed.Any(dir => target.StartsWith(dir + Path.DirectorySeparatorChar, StringComparison.Ordinal))) return;
        throw new JobInputException(field, $"is outside the allowed model locations ({string.Join(", ", Allowed)}); an operator allows more with {Variable}", path);
    }
}
