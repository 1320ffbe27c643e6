using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Cli;

/// <summary>A job spec file as every `tw run` mode reads it: parsed, validated, relative paths taken from its directory.</summary>
internal static class SpecFile
{
    /// <summary>Throws <see cref="InvalidSpecException"/> with every error, or an <see cref="IOException"/>.</summary>
    public static async Task<JobSpec> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var spec = JobSpecParser.Parse(await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false));
        return spec.RelativeTo(file.DirectoryName!);
    }

    /// <summary>Locally the spec's own directory may hold the user's TorchScript models; an operator's TW_MODEL_ALLOW overrides it.</summary>
    public static ModelLocationPolicy ModelLocations(FileInfo file) => ModelLocationPolicy.FromEnvironment(file.DirectoryName!);
}
