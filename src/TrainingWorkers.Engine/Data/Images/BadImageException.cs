namespace TrainingWorkers.Engine.Data.Images;

/// <summary>A file that is not an image this pipeline decodes (truncated, not PNG/JPEG, too large).</summary>
public sealed class BadImageException(string file, string reason) : Exception($"{file}: {reason}")
{
    public string File { get; } = file;
    public string Reason { get; } = reason;
}
