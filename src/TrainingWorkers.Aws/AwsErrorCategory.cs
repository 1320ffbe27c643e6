namespace TrainingWorkers.Aws;

/// <summary>How a failed AWS call should be handled.</summary>
public enum AwsErrorCategory
{
    /// <summary>Throttling, a 5xx, a network failure or a timeout: a later retry can succeed.</summary>
    Transient,
    /// <summary>
    /// The configuration is wrong (queue or table missing, access denied, bad or missing credentials):
    /// no retry helps and the host should stop with a non-zero exit code.
    /// </summary>
    Fatal,
    /// <summary>This one request was refused (invalid parameter, stale receipt handle); others can still work.</summary>
    Request,
}
