namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>
/// A small CloudWatch client over AWS JSON 1.0 (<c>GraniteServiceVersion20100801</c>): PutMetricData and,
/// for tests and tools, GetMetricData. moto 5.2.1 accepts both over this protocol.
/// </summary>
internal sealed class CloudWatchClient
{
    /// <summary>PutMetricData takes at most 1000 datums per call.</summary>
    public const int MaxDatumsPerCall = 1000;

    private readonly AwsJsonClient _json;

    public CloudWatchClient(HttpClient signedHttp, AwsConnection connection)
    {
        _json = new AwsJsonClient(signedHttp, connection, connection.EndpointFor("monitoring"), "monitoring", "GraniteServiceVersion20100801");
    }

    public Task PutMetricDataAsync(string metricNamespace, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(data.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Count, MaxDatumsPerCall);
        return _json.SendBodyAsync<EmptyResponse>("PutMetricData", MetricDataWriter.Write(metricNamespace, data), cancellationToken);
    }

    public async Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(IReadOnlyList<MetricDataQuery> queries, DateTimeOffset start,
        DateTimeOffset end, CancellationToken cancellationToken)
    {
        var response = await _json.SendAsync<GetMetricDataRequest, GetMetricDataResponse>("GetMetricData",
            new(queries, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds()), cancellationToken).ConfigureAwait(false);
        return response.MetricDataResults ?? [];
    }
}
