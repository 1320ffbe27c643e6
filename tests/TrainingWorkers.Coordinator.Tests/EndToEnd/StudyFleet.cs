using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Worker.Tests;

namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

[CollectionDefinition(Name)]
public sealed class StudyFleetCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "study-fleet";
}

/// <summary>
/// The worker's fleet on moto (queue, bucket with a small Fashion-MNIST, table, real workers) plus real coordinators
/// and the real <c>tw</c>: what `tw finetune`, `tw tune` and `tw study` run against in a deployment.
/// </summary>
internal sealed class StudyFleet : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];
    private readonly ServiceProvider _services;

    private StudyFleet(Fleet fleet)
    {
        Fleet = fleet;
        _services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            (o.ServiceUrl, o.Region, o.JobTable.TableName, o.S3.Bucket, o.MaxAttempts) = (fleet.Moto.Url, "us-east-1", fleet.Table, fleet.Bucket, 3);
        }).BuildServiceProvider();
    }

    public Fleet Fleet { get; }
    public IStudyStore Studies => _services.GetRequiredService<IStudyStore>();
    public IJobStore Jobs => Fleet.Store;

    public static async Task<StudyFleet> CreateAsync(MotoServer moto) => new(await Fleet.CreateAsync(moto));

    public ServiceProcess StartCoordinator(string name, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var env = new Dictionary<string, string?>(MotoFixture.ChildEnvironment())
        {
            ["TW_Aws__ServiceUrl"] = Fleet.Moto.Url.ToString(), ["TW_Aws__Region"] = "us-east-1", ["TW_Aws__Queue__QueueUrl"] = Fleet.QueueUrl,
            ["TW_Aws__S3__Bucket"] = Fleet.Bucket, ["TW_Aws__JobTable__TableName"] = Fleet.Table,
            ["TW_Coordinator__CoordinatorId"] = name, ["TW_Coordinator__PollInterval"] = "00:00:01", ["TW_Coordinator__LeaseDuration"] = "00:00:05",
            ["TW_Coordinator__HealthPort"] = MotoServer.FreePort().ToString(CultureInfo.InvariantCulture), ["TW_Coordinator__MaxStudies"] = "16",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) env[key] = value;
        var process = ServiceProcess.Start(name, "tw-coordinator.dll", env);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs `tw` against this fleet (endpoint, region, table on the command line, no environments file) to its end.</summary>
    public async Task<(int ExitCode, string Stdout, string Log)> TwAsync(TimeSpan timeout, params string[] args)
    {
        var env = new Dictionary<string, string?>(MotoFixture.ChildEnvironment()) { ["TW_ENVIRONMENTS"] = Path.Combine(Fleet.Directory, "none.json"), ["TW_ENV"] = null };
        string[] fleet = ["--endpoint-url", Fleet.Moto.Url.ToString(), "--region", "us-east-1", "--table", Fleet.Table];
        var tw = ServiceProcess.Start("tw " + args[0], "tw.dll", env, [.. args, .. (args[0] is "run" ? [] : fleet)]);
        try
        {
            var code = await tw.WaitForExitAsync(timeout);
            return (code, tw.Stdout, tw.Log);
        }
        finally
        {
            await tw.DisposeAsync();
        }
    }

    /// <summary>Writes a request (or spec) file in the fleet's directory.</summary>
    public string File(string name, string json)
    {
        var path = Path.Combine(Fleet.Directory, name);
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Pretrains an MLP on classes 0-4 with `tw run` here and uploads its weights where the workers may read: a base model at an s3:// URI.</summary>
    public async Task<string> PretrainAsync()
    {
        var spec = File("pretrain.json", $$"""
            { "apiVersion": "trainingworkers/v1", "name": "pre", "model": { "type": "mlp", "hidden": [64] },
              "data": { "train": "{{Path.Combine(Fleet.Directory, "fashion-mnist")}}", "classes": [0, 1, 2, 3, 4], "validation_split": 0.1 },
              "training": { "epochs": 3, "batch_size": 32, "learning_rate": 0.002, "optimizer": "adam", "seed": 3, "threads": 1 } }
            """);
        var run = Path.Combine(Fleet.Directory, "pretrained");
        var (code, _, log) = await TwAsync(TimeSpan.FromMinutes(3), "run", spec, "--run-dir", run, "--output", "json");
        Assert.True(code == 0, log);
        await Fleet.S3.PutObjectAsync(new PutObjectRequest { BucketName = Fleet.Bucket, Key = "datasets/models/pre/model.pt", FilePath = Path.Combine(run, "model.pt") });
        return $"s3://{Fleet.Bucket}/datasets/models/pre/model.pt";
    }

    public async Task<StudyRecord> WaitForStudyAsync(string studyId, Func<StudyRecord, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var study = await Studies.GetAsync(studyId, CancellationToken.None);
            if (study is not null && condition(study)) return study;
            if (clock.Elapsed > timeout) throw new TimeoutException($"study {studyId}: not {what} within {timeout} (status {study?.Status}, error {study?.Error});\n{Logs()}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every process's log, for a failure's message.</summary>
    public string Logs() => string.Join("\n", _processes.Select(p => $"--- {p.Name} ---\n{p.Log}"));

    /// <summary>The job ids the table holds (each job's record), with how often each was created.</summary>
    public async Task<Dictionary<string, int>> JobCreationsAsync()
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var job in await Jobs.ListAsync(1000, CancellationToken.None))
        {
            result[job.JobId] = (await Jobs.GetHistoryAsync(job.JobId, CancellationToken.None)).Count(h => h.Reason == "submitted");
        }

        return result;
    }

    public static JsonNode Json(string stdout) => JsonNode.Parse(stdout) ?? throw new InvalidOperationException("no JSON on stdout");

    public async Task<string> S3TextAsync(string uri)
    {
        var key = uri[$"s3://{Fleet.Bucket}/".Length..];
        using var response = await Fleet.S3.GetObjectAsync(Fleet.Bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        await _services.DisposeAsync();
        await Fleet.DisposeAsync();
    }
}
