namespace TrainingWorkers.Aws;

/// <summary>A job named an S3 location outside the operator's allow-list. Not transient.</summary>
public sealed class S3AccessDeniedException : Exception
{
    public S3AccessDeniedException(S3Location location)
        : base($"{location} is outside the S3 locations this worker may use (setting Aws:S3:AllowedPrefixes)")
    {
        Location = location;
    }

    public S3Location Location { get; }
    public bool IsTransient => false;
}
