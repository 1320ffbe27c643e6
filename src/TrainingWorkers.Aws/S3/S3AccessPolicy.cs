namespace TrainingWorkers.Aws;

/// <summary>
/// The operator's allow-list of S3 locations. Jobs name S3 URIs in their specs; every one is checked
/// here before it is read or written, so a job cannot reach a bucket the operator did not allow.
/// </summary>
public sealed class S3AccessPolicy
{
    private readonly IReadOnlyList<S3Location> _allowed;

    public S3AccessPolicy(IEnumerable<S3Location> allowed)
    {
        _allowed = allowed.ToList();
    }

    /// <summary>The policy from the options: the allowed prefixes plus the checkpoint bucket's prefix.</summary>
    public static S3AccessPolicy FromOptions(S3Options options)
    {
        var allowed = options.AllowedPrefixes.Select(S3Location.Parse).ToList();
        if (options.Bucket is not null)
        {
            allowed.Add(new S3Location(options.Bucket, options.Prefix.Length == 0 ? "" : options.Prefix + "/"));
        }

        return new S3AccessPolicy(allowed);
    }

    public IReadOnlyList<S3Location> Allowed => _allowed;

    /// <summary>Parses <paramref name="uri"/> and checks it; throws <see cref="S3AccessDeniedException"/> or <see cref="FormatException"/>.</summary>
    public S3Location Authorize(string uri) => Authorize(S3Location.Parse(uri));

    /// <summary>Returns <paramref name="location"/> if an allowed prefix contains it; throws <see cref="S3AccessDeniedException"/> otherwise.</summary>
    public S3Location Authorize(S3Location location) =>
        _allowed.Any(a => a.Contains(location)) ? location : throw new S3AccessDeniedException(location);
}
