using System.Diagnostics;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "fleet";
}

/// <summary>
/// A whole deployment on the emulator, as `tw env create` and the deploy stack make it: the jobs queue with
/// its dead-letter queue (redrive after <see cref="MaxReceiveCount"/>), the bucket with a small Fashion-MNIST
/// uploaded, and the jobs table; plus the clients a test checks them with, and real worker processes.
/// </summary>
internal sealed class Fleet : IAsyncDisposable
{
    public const int MaxReceiveCount = 5;
    private readonly List<ServiceProcess> _workers = [];
    private readonly ServiceProvider _services;

    private Fleet(MotoServer moto, string name, string directory, ServiceProvider services, IAmazonSQS sqs, string queueUrl, string dlqUrl)
    {
        (Moto, Name, Directory, _services, Sqs, QueueUrl, DeadLetterQueueUrl) = (moto, name, directory, services, sqs, queueUrl, dlqUrl);
    }

    public MotoServer Moto { get; }
    public string Name { get; }
    public string Directory { get; }
    public string Bucket => Name;
    public string Table => Name;
    public string QueueUrl { get; }
    public string DeadLetterQueueUrl { get; }
    public IAmazonSQS Sqs { get; }
    public IJobQueue Queue => _services.GetRequiredService<IJobQueue>();
    public IJobStore Store => _services.GetRequiredService<IJobStore>();
    public IAmazonS3 S3 => _services.GetRequiredService<IAmazonS3>();
    public AwsConnection Connection => _services.GetRequiredService<AwsConnection>();
    public string DataUri => $"s3://{Bucket}/datasets/fashion-mnist/";

    public static async Task<Fleet> CreateAsync(MotoServer moto, int trainExamples = 3000, int testExamples = 500)
    {
        var name = "tw-" + Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), name);
        System.IO.Directory.CreateDirectory(directory);
        var sqs = new AwsConnection(Options(moto.Url, "placeholder", name), NullLogger.Instance).CreateClient<IAmazonSQS>();
        var dlqUrl = (await sqs.CreateQueueAsync(name + "-dlq")).QueueUrl;
        var dlqArn = (await sqs.GetQueueAttributesAsync(dlqUrl, ["QueueArn"])).Attributes["QueueArn"];
        // Written as the deploy stack and moto write it: maxReceiveCount as a number.
        var redrive = JsonSerializer.Serialize(new { deadLetterTargetArn = dlqArn, maxReceiveCount = MaxReceiveCount });
        var queueUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = new() { ["RedrivePolicy"] = redrive } })).QueueUrl;
        var services = new ServiceCollection().AddLogging()
            .AddTrainingWorkersAws(o => Configure(o, Options(moto.Url, queueUrl, name)))
            .BuildServiceProvider();
        var s3 = services.GetRequiredService<IAmazonS3>();
        await s3.PutBucketAsync(name);
        await JobTable.EnsureCreatedAsync(services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), name, CancellationToken.None);
        var data = SmallFashionMnist.Create(Path.Combine(directory, "fashion-mnist"), trainExamples, testExamples);
        foreach (var file in System.IO.Directory.GetFiles(data))
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = name, Key = "datasets/fashion-mnist/" + Path.GetFileName(file), FilePath = file });
        }

        return new Fleet(moto, name, directory, services, sqs, queueUrl, dlqUrl);
    }

    /// <summary>Starts a worker with short leases (so takeovers happen in seconds) and the given overrides.</summary>
    public ServiceProcess StartWorker(string name, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var env = new Dictionary<string, string?>(MotoFixture.ChildEnvironment())
        {
            ["TW_Aws__ServiceUrl"] = Moto.Url.ToString(),
            ["TW_Aws__Region"] = "us-east-1",
            ["TW_Aws__Queue__QueueUrl"] = QueueUrl,
            ["TW_Aws__S3__Bucket"] = Bucket,
            ["TW_Aws__S3__AllowedPrefixes__0"] = $"s3://{Bucket}/datasets/",
            ["TW_Aws__S3__CacheDirectory"] = Path.Combine(Directory, "cache"),
            ["TW_Aws__JobTable__TableName"] = Table,
            ["TW_Aws__Metrics__FlushInterval"] = "00:00:01",
            ["TW_Worker__WorkerId"] = name,
            ["TW_Worker__TwExecutable"] = Path.Combine(AppContext.BaseDirectory, "tw.dll"),
            ["TW_Worker__WorkDirectory"] = Path.Combine(Directory, name),
            ["TW_Worker__LeaseDuration"] = "00:00:06",
            ["TW_Worker__PollWait"] = "00:00:01",
            ["TW_Worker__RetryBackoff"] = "00:00:01",
            ["TW_Worker__ShutdownTimeout"] = "00:00:40",
            ["TW_Worker__HealthPort"] = MotoServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TW_Worker__UseInstanceMetadata"] = "false",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) env[key] = value;
        var worker = ServiceProcess.Start(name, "tw-worker.dll", env);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>A spec that trains on the uploaded data: an MLP, or a small CNN that runs every epoch (no early stopping) for jobs that must run a while.</summary>
    public JsonElement Spec(string name, int epochs, bool slow = false, string extraTraining = "")
    {
        var model = slow
            ? """{ "type": "cnn", "conv": [ { "filters": 16, "pool": 2 }, { "filters": 32, "pool": 2 } ], "hidden": [64] }"""
            : """{ "type": "mlp", "hidden": [64] }""";
        return JsonDocument.Parse($$"""
        {
          "apiVersion": "trainingworkers/v1", "name": "{{name}}", "model": {{model}},
          "data": { "format": "idx", "train": "{{DataUri}}", "validation_split": 0.1 },
          "training": { "epochs": {{epochs}}, "batch_size": 32, "learning_rate": 0.002, "optimizer": "adam", "seed": 3, "threads": 1{{extraTraining}} },
          "checkpointing": { "every_epochs": 1, "keep_last": 2 }{{(slow ? ", \"early_stopping\": { \"enabled\": false }" : "")}}
        }
        """).RootElement.Clone();
    }

    /// <summary>Records the job and queues it, as `tw submit` does.</summary>
    public async Task SubmitAsync(string jobId, JsonElement spec)
    {
        Assert.True(await Store.CreateAsync(jobId, spec.GetRawText(), CancellationToken.None));
        await Queue.SubmitAsync(new JobMessage { JobId = jobId, Spec = spec }, CancellationToken.None);
    }

    /// <summary>Starts a worker and a slow job on it, and returns once the job has a durable checkpoint.</summary>
    public async Task<ServiceProcess> StartTrainingAsync(string workerName, string jobId, int epochs)
    {
        var worker = StartWorker(workerName);
        await worker.WaitForLogAsync("polling", TimeSpan.FromSeconds(60));
        await SubmitAsync(jobId, Spec(jobId, epochs, slow: true));
        await WaitForAsync(jobId, r => r.LatestCheckpointId is not null, TimeSpan.FromMinutes(3), "checkpointed");
        return worker;
    }

    public async Task<JobRecord> WaitForAsync(string jobId, Func<JobRecord, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var record = await Store.GetAsync(jobId, CancellationToken.None);
            if (record is not null && condition(record)) return record;
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"job {jobId}: not {what} within {timeout} (status {record?.Status}, error {record?.Error});\n" +
                    string.Join("\n", _workers.Select(w => $"--- {w.Name} ---\n{w.Log}")));
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// The queue's depth once it is (<paramref name="waiting"/>, <paramref name="inFlight"/>), or as it is after
    /// <paramref name="timeout"/>: a job's outcome is durable before its message is deleted, so the two lag each other.
    /// </summary>
    public async Task<(long Waiting, long InFlight)> QueueDepthAsync(long waiting, long inFlight, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var depth = await Queue.GetDepthAsync(CancellationToken.None);
            if ((depth.Waiting, depth.InFlight) == (waiting, inFlight) || clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(10))) return (depth.Waiting, depth.InFlight);
            await Task.Delay(250);
        }
    }

    public Task<JobRecord> WaitForEndAsync(string jobId, TimeSpan timeout) => WaitForAsync(jobId, r => r.Status.IsTerminal(), timeout, "finished");

    public async Task<IReadOnlyList<string>> CheckpointIdsAsync(string jobId)
    {
        var list = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = $"jobs/{jobId}/checkpoints/" });
        return (list.S3Objects ?? []).Where(o => o.Key.EndsWith("/manifest.json", StringComparison.Ordinal))
            .Select(o => o.Key.Split('/')[^2]).Order(StringComparer.Ordinal).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers) await w.DisposeAsync();
        await _services.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A rank still closing files; the temp directory is cleaned by the OS eventually.
        }
    }


    private static AwsOptions Options(Uri url, string queueUrl, string name)
    {
        var o = new AwsOptions();
        Configure(o, o);
        o.ServiceUrl = url;
        o.Region = "us-east-1";
        o.Queue.QueueUrl = new Uri(queueUrl, UriKind.RelativeOrAbsolute).IsAbsoluteUri ? new Uri(queueUrl) : null;
        o.S3.Bucket = name;
        o.S3.AllowedPrefixes = [$"s3://{name}/"];
        o.JobTable.TableName = name;
        o.MaxAttempts = 3;
        o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
        return o;
    }

    private static void Configure(AwsOptions target, AwsOptions source)
    {
        target.ServiceUrl = source.ServiceUrl;
        target.Region = source.Region;
        target.Queue.QueueUrl = source.Queue.QueueUrl;
        target.S3.Bucket = source.S3.Bucket;
        target.S3.AllowedPrefixes = source.S3.AllowedPrefixes;
        target.JobTable.TableName = source.JobTable.TableName;
        target.MaxAttempts = source.MaxAttempts;
        target.RetryBaseDelay = source.RetryBaseDelay;
    }
}
