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
    [InlineData("""{"version":1,"job_id":"a","spec":[]}""", "'spec' must be a JSON object, got an array")]
    [InlineData("""{"version":"1","job_id":"a","spec":{}}""", "'version' must be the integer 1, got a string")]
    [InlineData("""{"version":null,"job_id":"a","spec":{}}""", "'version' must be the integer 1, got null")]
    [InlineData("""{"version":true,"job_id":"a","spec":{}}""", "'version' must be the integer 1, got true")]
    [InlineData("""{"version":1.5,"job_id":"a","spec":{}}""", "'version' must be the integer 1, got 1.5")]
    [InlineData("""{"version":1e40,"job_id":"a","spec":{}}""", "'version' must be the integer 1, got 1e40")]
    [InlineData("""{"version":[1],"job_id":"a","spec":{}}""", "'version' must be the integer 1, got an array")]
    [InlineData("""{"job_id":"a","spec":{}}""", "'version' must be the integer 1, got nothing")]
    [InlineData("""{"version":1,"job_id":7,"spec":{}}""", "'job_id' must be a string, got 7")]
    [InlineData("""{"version":1,"job_id":null,"spec":{}}""", "'job_id' must be a string, got null")]
    [InlineData("""{"version":1,"job_id":{"a":1},"spec":{}}""", "'job_id' must be a string, got an object")]
    [InlineData("""{"version":1,"job_id":"\ud800","spec":{}}""", "not valid text")]
    [InlineData("""{"version":1,"job_id":"a","spec":null}""", "'spec' must be a JSON object, got null")]
    [InlineData("""{"version":1,"job_id":"a"}""", "'spec' must be a JSON object, got nothing")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"version":1,"job_id":"a","spec":{}""", "not valid JSON")]
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

    [Fact]
    public void Decode_AnyFieldOfAnyJsonType_IsAProblemOfThatMessageOnly()
    {
        string[] values = ["null", "true", "false", "0", "-1", "1.5", "1e400", "\"\"", "\"1\"", "\"\\ud800\"", "[]", "[1]", "{}", "{\"a\":null}"];
        var fields = new Dictionary<string, string> { ["version"] = "1", ["job_id"] = "\"a\"", ["spec"] = "{}" };
        foreach (var field in fields.Keys.Append("extra"))
        {
            foreach (var value in values.Append("<absent>"))
            {
                var parts = fields.Where(f => f.Key != field || value != "<absent>").Select(f => $"\"{f.Key}\":{(f.Key == field ? value : f.Value)}");
                if (field == "extra" && value != "<absent>") parts = parts.Append($"\"extra\":{value}");
                var body = "{" + string.Join(",", parts) + "}";

                var (job, problem) = JobMessageCodec.Decode(body, 1024);

                Assert.True((job is null) != (problem is null), body);
            }
        }
    }
}
