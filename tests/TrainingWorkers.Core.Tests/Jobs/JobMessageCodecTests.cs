using System.Text.Json;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Core.Tests.Jobs;

public sealed class JobMessageCodecTests
{
    private static readonly JsonElement Spec = JsonDocument.Parse("""{ "name": "x" }""").RootElement.Clone();

    [Fact]
    public void RoundTrip_ValidJob_SameIdAndSpec()
    {
        var body = JobMessageCodec.Encode(new JobMessage { JobId = "run-1.a_b", Spec = Spec }, 1024);

        var (job, problem) = JobMessageCodec.Decode(body, 1024);

        Assert.Null(problem);
        Assert.Equal("run-1.a_b", job!.JobId);
        Assert.Equal("x", job.Spec.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("slash/in/it")]
    public void Encode_BadJobId_RefusedNamingTheRule(string id)
    {
        var e = Assert.Throws<InvalidJobMessageException>(() => JobMessageCodec.Encode(new JobMessage { JobId = id, Spec = Spec }, 1024));

        Assert.Contains(JobMessage.JobIdRule, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version":1,"job_id":"../etc","spec":{}}""", "'job_id' must be")]
    [InlineData("""{"version":2,"job_id":"a","spec":{}}""", "message version 2 is not supported")]
    [InlineData("""{"version":1,"job_id":"a","spec":[]}""", "'spec' is not a JSON object")]
    [InlineData("not json", "not valid JSON")]
    public void Decode_NotAJob_ProblemSaysWhy(string body, string expected)
    {
        var (job, problem) = JobMessageCodec.Decode(body, 1024);

        Assert.Null(job);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void JobIdRule_LongestAllowedIs128()
    {
        Assert.True(JobMessage.IsValidJobId(new string('a', 128)));
        Assert.False(JobMessage.IsValidJobId(new string('a', 129)));
    }
}
