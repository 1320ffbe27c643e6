using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The synthesized data plane created in moto through its CloudFormation API, then a real tw-worker configured
/// from the stack's outputs alone trains a job submitted with tw, and tw logs shows the job's log.
/// </summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class EmulatorDeployTests(SynthesizedFleet synth) : IAsyncLifetime
{
    /// <summary>
    /// What moto 5.2.1's CloudFormation leaves out of the data plane: it reports the stack complete but makes no
    /// queue or bucket policy and no alarm (the subscription is left out by its condition when no e-mail is given).
    /// The template tests and cfn-lint check these instead, and <see cref="Alarms_FromTheTemplate_AreAcceptedByCloudWatch"/> creates the alarms through the API.
    /// </summary>
    private static readonly string[] NotCreatedByMoto = ["AWS::CloudWatch::Alarm", "AWS::S3::BucketPolicy", "AWS::SNS::Subscription", "AWS::SQS::QueuePolicy"];

    private readonly MotoFixture _moto = new();

    public Task InitializeAsync() => _moto.InitializeAsync();

    public Task DisposeAsync() => _moto.DisposeAsync();

    [Fact]
    public async Task DataPlane_CreatedThroughCloudFormation_WorkerFromItsOutputsTrainsAJob_TwLogsShowsItsLog()
    {
        var stack = "tw-data-" + Guid.NewGuid().ToString("N")[..6];
        var outputs = await CreateStackAsync(stack);
        var created = await ResourcesAsync(stack);
        var bucket = outputs[DataPlaneOutputs.BucketName];

        var skipped = synth.DataPlaneJson["Resources"]!.AsObject().Where(r => !created.Contains(r.Key)).Select(r => (string)r.Value!["Type"]!).Distinct().Order().ToList();
        Assert.Equal(NotCreatedByMoto, skipped);

        var directory = Path.Combine(Path.GetTempPath(), stack);
        var data = SmallFashionMnist.Create(Path.Combine(directory, "fashion-mnist"), 1500, 300);
        var upload = await Commands.AwsAsync(_moto.Url, "s3", "cp", data, $"s3://{bucket}/datasets/fashion-mnist/", "--recursive");
        Assert.True(upload.ExitCode == 0, upload.Describe("aws s3 cp"));

        var environment = new Dictionary<string, string?>(MotoFixture.ChildEnvironment());
        foreach (var (key, value) in WorkerConfiguration.Resolve(outputs)) environment[key] = value;
        // What differs on this machine: the emulator's endpoint, local paths, no instance metadata.
        environment["TW_Aws__ServiceUrl"] = _moto.Url.ToString();
        environment["TW_Aws__Region"] = MotoFixture.Region;
        environment["TW_Aws__S3__CacheDirectory"] = Path.Combine(directory, "cache");
        environment["TW_Aws__Metrics__FlushInterval"] = "00:00:01";
        environment["TW_Aws__Logs__FlushInterval"] = "00:00:01";
        environment["TW_Worker__WorkerId"] = "cfn-worker";
        environment["TW_Worker__TwExecutable"] = Path.Combine(AppContext.BaseDirectory, "tw.dll");
        environment["TW_Worker__WorkDirectory"] = Path.Combine(directory, "work");
        environment["TW_Worker__PollWait"] = "00:00:01";
        environment["TW_Worker__HealthPort"] = MotoServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["TW_Worker__UseInstanceMetadata"] = "false";
        await using var worker = ServiceProcess.Start("cfn-worker", "tw-worker.dll", environment);
        await worker.WaitForLogAsync("polling", TimeSpan.FromSeconds(90));

        var spec = Path.Combine(directory, "job.json");
        await File.WriteAllTextAsync(spec, $$"""
        {
          "apiVersion": "trainingworkers/v1", "name": "from-the-stack", "model": { "type": "mlp", "hidden": [32] },
          "data": { "format": "idx", "train": "s3://{{bucket}}/datasets/fashion-mnist/", "validation_split": 0.1 },
          "training": { "epochs": 2, "batch_size": 64, "learning_rate": 0.002, "optimizer": "adam", "threads": 1 }
        }
        """);
        string[] fleet = ["--endpoint-url", _moto.Url.ToString(), "--region", MotoFixture.Region,
            "--queue-url", outputs[DataPlaneOutputs.JobsQueueUrl], "--table", outputs[DataPlaneOutputs.JobsTableName]];
        var jobId = "cfn-" + Guid.NewGuid().ToString("N")[..8];
        var submit = await Commands.TwAsync(["submit", spec, "--job-id", jobId, .. fleet]);
        Assert.True(submit.ExitCode == 0, submit.Describe("tw submit"));

        var status = await WaitForEndAsync(jobId, fleet, worker);
        Assert.True(status["status"]!.GetValue<string>() == "Succeeded", $"the job ended {status}\n{worker.Log}");
        Assert.StartsWith($"s3://{bucket}/jobs/{jobId}/", status["model_uri"]!.GetValue<string>(), StringComparison.Ordinal);

        var logs = await Commands.TwAsync(["logs", jobId, "--log-group", outputs[DataPlaneOutputs.JobLogGroupName], .. fleet]);
        Assert.True(logs.ExitCode == 0, logs.Describe("tw logs"));
        foreach (var line in new[] { "--- attempt 1 ---", "attempt 1 on worker cfn-worker", "epoch 2", "val_accuracy", "checkpoint ", "done: " })
        {
            Assert.True(logs.Output.Contains(line, StringComparison.Ordinal), $"tw logs shows no '{line}':\n{logs.Output}");
        }
    }

    [Fact]
    public async Task Alarms_FromTheTemplate_AreAcceptedByCloudWatch()
    {
        var stack = "tw-alarms-" + Guid.NewGuid().ToString("N")[..6];
        await CreateStackAsync(stack);
        var physical = await PhysicalIdsAsync(stack);

        var names = new List<string>();
        foreach (var (id, alarm) in SynthesizedFleet.Resources(synth.DataPlaneJson, "AWS::CloudWatch::Alarm"))
        {
            var input = (JsonObject)Resolve(alarm["Properties"]!.DeepClone(), physical)!;
            input["AlarmName"] = $"{stack}-{id}";
            var put = await Commands.AwsAsync(_moto.Url, "cloudwatch", "put-metric-alarm", "--cli-input-json", input.ToJsonString());
            Assert.True(put.ExitCode == 0, put.Describe($"put-metric-alarm {id}"));
            names.Add($"{stack}-{id}");
        }

        var described = await Commands.AwsAsync(_moto.Url, ["cloudwatch", "describe-alarms", "--alarm-names", .. names]);
        var alarms = JsonNode.Parse(described.Output)!["MetricAlarms"]!.AsArray();
        Assert.Equal(3, alarms.Count);
        Assert.All(alarms, a => Assert.StartsWith("arn:aws:sns:", a!["AlarmActions"]![0]!.GetValue<string>(), StringComparison.Ordinal));
    }

    private async Task<Dictionary<string, string>> CreateStackAsync(string stack)
    {
        var create = await Commands.AwsAsync(_moto.Url, "cloudformation", "create-stack", "--stack-name", stack, "--template-body", "file://" + synth.DataPlaneFile);
        Assert.True(create.ExitCode == 0, create.Describe("create-stack"));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var describe = await Commands.AwsAsync(_moto.Url, "cloudformation", "describe-stacks", "--stack-name", stack);
            var s = JsonNode.Parse(describe.Output)!["Stacks"]![0]!;
            var state = s["StackStatus"]!.GetValue<string>();
            if (state == "CREATE_COMPLETE")
            {
                return s["Outputs"]!.AsArray().ToDictionary(o => o!["OutputKey"]!.GetValue<string>(), o => o!["OutputValue"]!.GetValue<string>());
            }

            Assert.True(state == "CREATE_IN_PROGRESS" && clock.Elapsed < TimeSpan.FromMinutes(2), $"stack {stack}: {s}");
            await Task.Delay(500);
        }
    }

    private async Task<HashSet<string>> ResourcesAsync(string stack) => (await PhysicalIdsAsync(stack)).Keys.ToHashSet();

    private async Task<Dictionary<string, string>> PhysicalIdsAsync(string stack)
    {
        var listed = await Commands.AwsAsync(_moto.Url, "cloudformation", "list-stack-resources", "--stack-name", stack);
        return JsonNode.Parse(listed.Output)!["StackResourceSummaries"]!.AsArray()
            .Where(r => r!["LogicalResourceId"]?.GetValue<string>() is { Length: > 0 } && r["PhysicalResourceId"]?.GetValue<string>() is { Length: > 0 })
            .ToDictionary(r => r!["LogicalResourceId"]!.GetValue<string>(), r => r!["PhysicalResourceId"]!.GetValue<string>());
    }

    // Ref to a resource becomes its physical id, Ref to a parameter its default, a queue's name its URL's end: all the alarms use.
    private JsonNode? Resolve(JsonNode? node, IReadOnlyDictionary<string, string> physical) => node switch
    {
        JsonObject o when o.Count == 1 && o["Ref"] is JsonValue r => physical.TryGetValue(r.GetValue<string>(), out var id) ? JsonValue.Create(id)
            : synth.DataPlaneJson["Parameters"]![r.GetValue<string>()]!["Default"]!.DeepClone(),
        // A queue's physical id is its URL; the alarms take its name.
        JsonObject o when o.Count == 1 && o["Fn::GetAtt"] is JsonArray g && g[1]!.GetValue<string>() == "QueueName" =>
            JsonValue.Create(physical[g[0]!.GetValue<string>()].Split('/')[^1]),
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Resolve(kv.Value?.DeepClone(), physical)))),
        JsonArray a => new JsonArray(a.Select(x => Resolve(x?.DeepClone(), physical)).ToArray()),
        _ => node?.DeepClone(),
    };

    private static async Task<JsonNode> WaitForEndAsync(string jobId, string[] fleet, ServiceProcess worker)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await Commands.TwAsync(["status", jobId, "-o", "json", .. fleet]);
            var job = JsonNode.Parse(status.Output)!;
            if (job["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled") return job;
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"job {jobId} still {job["status"]} after 4 minutes:\n{worker.Log}");
            await Task.Delay(1000);
        }
    }
}
