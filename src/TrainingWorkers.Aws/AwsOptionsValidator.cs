using Microsoft.Extensions.Options;

namespace TrainingWorkers.Aws;

/// <summary>Checks every setting at start-up and reports all problems at once, each with its setting and limit.</summary>
internal sealed class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    internal const long MinPartSize = 5L << 20;
    internal const long MaxPartSize = 5L << 30;

    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Collect(AwsOptions o)
    {
        var errors = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok) errors.Add(message);
        }

        Require(o.ServiceUrl is null || (o.ServiceUrl.IsAbsoluteUri && o.ServiceUrl.Scheme is "http" or "https"),
            $"Aws:ServiceUrl must be an absolute http(s) URL (was '{o.ServiceUrl}')");
        Require(o.MaxAttempts is >= 1 and <= 10, $"Aws:MaxAttempts must be between 1 and 10 (was {o.MaxAttempts})");
        Require(o.RetryBaseDelay > TimeSpan.Zero, $"Aws:RetryBaseDelay must be positive (was {o.RetryBaseDelay})");
        Require(o.RetryMaxDelay >= o.RetryBaseDelay, $"Aws:RetryMaxDelay must be at least Aws:RetryBaseDelay (was {o.RetryMaxDelay})");
        Require(o.AttemptTimeout >= TimeSpan.FromSeconds(1), $"Aws:AttemptTimeout must be at least 1 s (was {o.AttemptTimeout})");

        var s3 = o.S3;
        Require(s3.Bucket is null || S3Location.IsValidBucketName(s3.Bucket), $"Aws:S3:Bucket '{s3.Bucket}' is not a valid S3 bucket name");
        Require(!s3.Prefix.StartsWith('/') && !s3.Prefix.EndsWith('/'), $"Aws:S3:Prefix must not start or end with '/' (was '{s3.Prefix}')");
        Require(s3.PartSizeBytes is >= MinPartSize and <= MaxPartSize,
            $"Aws:S3:PartSizeBytes must be between {MinPartSize} (5 MiB) and {MaxPartSize} (5 GiB) (was {s3.PartSizeBytes})");
        Require(s3.MultipartThresholdBytes >= MinPartSize,
            $"Aws:S3:MultipartThresholdBytes must be at least {MinPartSize} (5 MiB) (was {s3.MultipartThresholdBytes})");
        Require(s3.Parallelism is >= 1 and <= 64, $"Aws:S3:Parallelism must be between 1 and 64 (was {s3.Parallelism})");
        Require(s3.CacheMaxBytes > 0, $"Aws:S3:CacheMaxBytes must be positive (was {s3.CacheMaxBytes})");
        Require(!string.IsNullOrWhiteSpace(s3.CacheDirectory), "Aws:S3:CacheDirectory must be set");
        foreach (var prefix in s3.AllowedPrefixes)
        {
            Require(S3Location.TryParse(prefix, out _, out var error), $"Aws:S3:AllowedPrefixes entry '{prefix}' is not an S3 URI: {error}");
        }

        Require(o.Queue.QueueUrl is null || o.Queue.QueueUrl.IsAbsoluteUri, $"Aws:Queue:QueueUrl must be an absolute URL (was '{o.Queue.QueueUrl}')");

        var m = o.Metrics;
        Require(!string.IsNullOrWhiteSpace(m.Namespace) && m.Namespace.Length <= 255 && !m.Namespace.StartsWith("AWS/", StringComparison.Ordinal),
            $"Aws:Metrics:Namespace must be 1..255 characters and not start with 'AWS/' (was '{m.Namespace}')");
        Require(m.BufferCapacity is >= 1000 and <= 10_000_000, $"Aws:Metrics:BufferCapacity must be between 1000 and 10000000 (was {m.BufferCapacity})");
        Require(m.FlushInterval >= TimeSpan.FromMilliseconds(100), $"Aws:Metrics:FlushInterval must be at least 100 ms (was {m.FlushInterval})");

        var l = o.Logs;
        Require(l.GroupName is null || (l.GroupName.Length is >= 1 and <= 512 && l.GroupName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '/' or '.' or '#')),
            $"Aws:Logs:GroupName must be 1..512 of [A-Za-z0-9_-/.#] (was '{l.GroupName}')");
        Require(l.FlushInterval >= TimeSpan.FromMilliseconds(100), $"Aws:Logs:FlushInterval must be at least 100 ms (was {l.FlushInterval})");
        Require(l.BufferCapacity is >= 100 and <= 1_000_000, $"Aws:Logs:BufferCapacity must be between 100 and 1000000 (was {l.BufferCapacity})");

        var t = o.JobTable.TableName;
        Require(t.Length is >= 3 and <= 255 && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'),
            $"Aws:JobTable:TableName must be 3..255 of [A-Za-z0-9_.-] (was '{t}')");
        return errors;
    }
}
