namespace TrainingWorkers.Deploy;

/// <summary>
/// How the fleet configures each worker, and the two names the image and the stack agree on: the launch template
/// reads the AMI id from <see cref="AmiParameter"/>, and its user data writes the worker's settings to
/// <see cref="EnvironmentFile"/> as <c>TW_</c>-prefixed variables, which the image's systemd unit reads with
/// <c>EnvironmentFile=</c>. Each setting is a configuration key of the worker (<c>Aws:Queue:QueueUrl</c>) whose
/// value comes from the data plane's outputs (<see cref="FromDataPlane"/>) or from the fleet stack.
/// </summary>
public static class WorkerConfiguration
{
    /// <summary>The SSM parameter the image build writes and the launch template resolves at each launch.</summary>
    public const string AmiParameter = "/trainingworkers/worker/ami-id";

    /// <summary>The file the user data writes and the worker's systemd unit reads.</summary>
    public const string EnvironmentFile = "/etc/trainingworkers/worker.env";

    /// <summary>The prefix under which the worker reads environment variables (see the worker's Program.cs).</summary>
    public const string EnvironmentPrefix = "TW_";

    /// <summary>
    /// The worker's settings taken from the data plane stack's outputs: the key, and the value with
    /// <c>{OutputName}</c> placeholders. A worker configured with these alone (and a region) runs against the stack.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> FromDataPlane { get; } =
    [
        ("Aws:Queue:QueueUrl", $"{{{DataPlaneOutputs.JobsQueueUrl}}}"),
        ("Aws:S3:Bucket", $"{{{DataPlaneOutputs.BucketName}}}"),
        ("Aws:S3:AllowedPrefixes:0", $"s3://{{{DataPlaneOutputs.BucketName}}}/{DataPlaneStack.DataPrefix}/"),
        ("Aws:S3:AllowedPrefixes:1", $"s3://{{{DataPlaneOutputs.BucketName}}}/{DataPlaneStack.JobsPrefix}/"),
        ("Aws:JobTable:TableName", $"{{{DataPlaneOutputs.JobsTableName}}}"),
        ("Aws:Logs:GroupName", $"{{{DataPlaneOutputs.JobLogGroupName}}}"),
        ("Aws:Metrics:Namespace", $"{{{DataPlaneOutputs.MetricsNamespace}}}"),
    ];

    /// <summary>The environment variable of a configuration key: <c>Aws:Queue:QueueUrl</c> is <c>TW_Aws__Queue__QueueUrl</c>.</summary>
    public static string Variable(string key) => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The data-plane settings with the outputs' values filled in, as environment variables.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> outputs) =>
        FromDataPlane.ToDictionary(s => Variable(s.Key), s => Fill(s.Value, name => outputs.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"the data plane has no output '{name}' (it has: {string.Join(", ", outputs.Keys)})")));

    /// <summary>Replaces each <c>{Name}</c> in <paramref name="template"/> with <paramref name="value"/>(Name).</summary>
    public static string Fill(string template, Func<string, string> value)
    {
        var result = new System.Text.StringBuilder();
        var at = 0;
        while (template.IndexOf('{', at) is var open and >= 0)
        {
            var close = template.IndexOf('}', open);
            result.Append(template, at, open - at).Append(value(template[(open + 1)..close]));
            at = close + 1;
        }

        return result.Append(template, at, template.Length - at).ToString();
    }
}
