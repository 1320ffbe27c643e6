using System.Diagnostics.CodeAnalysis;

namespace TrainingWorkers.Aws;

/// <summary>
/// A parsed <c>s3://bucket/key</c> URI. A key ending in '/' (or empty) names a prefix of many objects.
/// </summary>
public sealed record S3Location(string Bucket, string Key)
{
    /// <summary>Whether this names a prefix (folder) rather than one object.</summary>
    public bool IsPrefix => Key.Length == 0 || Key.EndsWith('/');

    public override string ToString() => $"s3://{Bucket}/{Key}";

    /// <summary>Parses an <c>s3://</c> URI; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static S3Location Parse(string uri) =>
        TryParse(uri, out var location, out var error) ? location : throw new FormatException($"'{uri}' is not an S3 URI: {error}");

    /// <summary>Parses an <c>s3://</c> URI, or says why it is not one.</summary>
    public static bool TryParse(string? uri, [NotNullWhen(true)] out S3Location? location, [NotNullWhen(false)] out string? error)
    {
        location = null;
        const string scheme = "s3://";
        if (string.IsNullOrWhiteSpace(uri))
        {
            error = "it is empty";
            return false;
        }

        if (!uri.StartsWith(scheme, StringComparison.Ordinal))
        {
            error = "it must start with 's3://'";
            return false;
        }

        var rest = uri[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (!IsValidBucketName(bucket))
        {
            error = $"'{bucket}' is not a valid bucket name (3-63 characters of a-z, 0-9, '.', '-'; starting and ending with a letter or digit)";
            return false;
        }

        if (key.Length > 1024)
        {
            error = $"the key is {key.Length} characters long; S3 allows 1024";
            return false;
        }

        if (key.StartsWith('/') || key.Split('/').Any(segment => segment is "." or ".."))
        {
            error = "the key must not start with '/' or contain '.' or '..' segments";
            return false;
        }

        if (key.Any(char.IsControl))
        {
            error = "the key contains control characters";
            return false;
        }

        location = new S3Location(bucket, key);
        error = null;
        return true;
    }

    /// <summary>S3's rules for a general purpose bucket name.</summary>
    public static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="other"/> lies under this location taken as a folder: <c>s3://b/data</c>
    /// contains <c>s3://b/data/x</c> but not <c>s3://b/data-private/x</c>.
    /// </summary>
    public bool Contains(S3Location other)
    {
        if (!string.Equals(Bucket, other.Bucket, StringComparison.Ordinal)) return false;
        if (Key.Length == 0 || string.Equals(Key, other.Key, StringComparison.Ordinal)) return true;
        var folder = Key.EndsWith('/') ? Key : Key + "/";
        return other.Key.StartsWith(folder, StringComparison.Ordinal);
    }
}
