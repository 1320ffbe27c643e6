using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.Logs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class JobLogsTests
{
    private readonly MotoFixture _moto;

    public JobLogsTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Writer_TwoAttempts_ReaderReturnsEveryLineInAttemptOrderThenOnlyNewOnes()
    {
        var (logs, _) = await CreateAsync();
        var jobId = MotoFixture.RandomName("job");
        await using (var first = logs.OpenWriter(jobId, 1)!)
        {
            first.Write("attempt 1 line a");
            first.Write("attempt 1 line b");
        }

        var reader = logs.OpenReader(jobId);
        var initial = await reader.ReadNewAsync(CancellationToken.None);
        await using (var second = logs.OpenWriter(jobId, 2)!)
        {
            second.Write("attempt 2 line a");
        }

        var later = await reader.ReadNewAsync(CancellationToken.None);
        var none = await reader.ReadNewAsync(CancellationToken.None);

        Assert.Equal(["attempt 1 line a", "attempt 1 line b"], initial.Select(l => l.Message));
        Assert.All(initial, l => Assert.Equal(1, l.Attempt));
        Assert.Equal([(2L, "attempt 2 line a")], later.Select(l => (l.Attempt, l.Message)));
        Assert.Empty(none);
        Assert.True(reader.HasStreams);
    }

    [Fact]
    public async Task Writer_AnotherJobWithTheSamePrefix_IsNotReadAsThisJob()
    {
        var (logs, _) = await CreateAsync();
        var jobId = MotoFixture.RandomName("job");
        await using (var other = logs.OpenWriter(jobId + "0", 1)!) other.Write("not mine");
        await using (var mine = logs.OpenWriter(jobId, 1)!) mine.Write("mine");

        var lines = await logs.OpenReader(jobId).ReadNewAsync(CancellationToken.None);

        Assert.Equal(["mine"], lines.Select(l => l.Message));
    }

    [Fact]
    public async Task Writer_MissingLogGroup_DropsLinesWithoutThrowing()
    {
        var options = _moto.Options(o => o.Logs.GroupName = "/tw-tests/" + MotoFixture.RandomName("missing"));
        var logs = Create(options);
        var writer = logs.OpenWriter("job-x", 1)!;
        writer.Write("lost");

        await writer.FlushAsync(CancellationToken.None);
        await writer.DisposeAsync();

        await Assert.ThrowsAsync<AwsServiceException>(() => logs.OpenReader("job-x").ReadNewAsync(CancellationToken.None));
    }

    [Fact]
    public void OpenWriter_NoGroupConfigured_ReturnsNull()
    {
        var logs = Create(_moto.Options());

        Assert.False(logs.Enabled);
        Assert.Null(logs.OpenWriter("job", 1));
    }

    [Theory]
    [InlineData("job-1", 1, "job-1/attempt-0001")]
    [InlineData("a.b_c", 12, "a.b_c/attempt-0012")]
    public void StreamName_RoundTripsTheAttempt(string jobId, long attempt, string expected)
    {
        Assert.Equal(expected, JobLogStreams.Name(jobId, attempt));
        Assert.Equal(attempt, JobLogStreams.Attempt(expected));
        Assert.Null(JobLogStreams.Attempt("job-1/other"));
    }

    private async Task<(JobLogs Logs, string Group)> CreateAsync()
    {
        var group = "/tw-tests/" + MotoFixture.RandomName("jobs");
        var logs = Create(_moto.Options(o => o.Logs.GroupName = group));
        Assert.True(await logs.EnsureGroupAsync(group, CancellationToken.None));
        Assert.False(await logs.EnsureGroupAsync(group, CancellationToken.None));
        return (logs, group);
    }

    private JobLogs Create(AwsOptions options)
    {
        var connection = _moto.Connection(options);
        return new JobLogs(new CloudWatchLogsClient(connection.CreateSignedClient("logs"), connection), options.Logs, TimeProvider.System, NullLoggerFactory.Instance);
    }
}
