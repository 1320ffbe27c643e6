using System.Globalization;

namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>The dimensions every metric of a job carries, so dashboards can slice by job, model and instance type.</summary>
public sealed record MetricDimensions
{
    public required string JobId { get; init; }
    public string? JobName { get; init; }
    public string? Model { get; init; }
    public string? InstanceType { get; init; }
    /// <summary>The rank publishing, added as a dimension only when per-rank metrics are on.</summary>
    public int? Rank { get; init; }

    internal IReadOnlyList<CloudWatchDimension> ToCloudWatch(bool perRank)
    {
        var dims = new List<CloudWatchDimension>(5) { new("JobId", JobId) };
        // CloudWatch refuses empty dimension values; leave unknown ones out.
        if (!string.IsNullOrEmpty(JobName)) dims.Add(new("JobName", JobName));
        if (!string.IsNullOrEmpty(Model)) dims.Add(new("Model", Model));
        if (!string.IsNullOrEmpty(InstanceType)) dims.Add(new("InstanceType", InstanceType));
        if (perRank && Rank is { } rank) dims.Add(new("Rank", rank.ToString(CultureInfo.InvariantCulture)));
        return dims;
    }
}
