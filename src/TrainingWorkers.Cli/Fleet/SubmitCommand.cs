using TrainingWorkers.Core.Failures;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.Sqs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// <c>tw submit job.json</c>: validates the spec, records the job as Queued and puts its message on the queue.
/// The spec goes as written: the worker resolves its data paths (<c>s3://</c>, <c>fashion-mnist</c>, or its own files).
/// </summary>
internal static partial class SubmitCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "the job spec (JSON)" };
        var jobId = new Option<string?>("--job-id") { Description = "the job's id (default: {name}-{UTC yyyyMMdd-HHmmss}-{6 hex})" };
        var noValidate = new Option<bool>("--no-validate") { Description = "queue the spec without checking it here (the worker still does)" };
        var output = FleetOptions.CreateOutput();
        var command = new Command("submit", "submit a job to the fleet's queue") { spec, jobId, noValidate, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("submit", json, () => SubmitAsync(parse.GetValue(spec)!, parse.GetValue(jobId), !parse.GetValue(noValidate),
                json, () => fleet.Resolve(parse), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> SubmitAsync(FileInfo specFile, string? jobId, bool validate, bool json, Func<FleetTarget> resolve, CancellationToken cancellationToken)
    {
        var text = await ReadAsync(specFile, cancellationToken).ConfigureAwait(false);
        if (validate)
        {
            try
            {
                JobSpecParser.Parse(text);
            }
            catch (InvalidSpecException e)
            {
                throw new FleetInputException($"{specFile.Name}: invalid job spec, nothing was queued", "invalid_spec", e.Errors.Select(x => x.ToString()).ToList());
            }
        }

        using var document = ParseJson(specFile, text);
        var spec = document.RootElement;
        jobId ??= NewJobId(spec);
        if (!JobMessage.IsValidJobId(jobId))
        {
            throw new FleetInputException($"--job-id: must be {JobMessage.JobIdRule}, got '{jobId}'");
        }

        var message = new JobMessage { JobId = jobId, Spec = spec };
        try
        {
            JobMessageCodec.Encode(message, SqsClient.MaxMessageBytes);
        }
        catch (InvalidJobMessageException e)
        {
            throw new FleetInputException($"{specFile.Name}: {e.Message}", "invalid_message");
        }

        var target = resolve();
        var queueUrl = target.RequireQueueUrl();
        await using var services = target.CreateServices();
        var store = services.GetRequiredService<IJobStore>();
        if (!await store.CreateAsync(jobId, spec.GetRawText(), cancellationToken).ConfigureAwait(false))
        {
            throw new FleetInputException($"--job-id: job '{jobId}' already exists in table {target.Table}", "job_exists");
        }

        string messageId;
        try
        {
            messageId = await services.GetRequiredService<IJobQueue>().SubmitAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException)
        {
            // The record exists but no worker will ever receive the job: end it rather than leave it Queued for good.
            Console.Error.WriteLine($"tw submit: the job was recorded but not queued; {await CancelRecordAsync(store, jobId).ConfigureAwait(false)}");
            throw;
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["job_id"] = jobId, ["message_id"] = messageId, ["queue_url"] = queueUrl.ToString(),
            }, JobView.Json));
        }
        else
        {
            Console.Out.WriteLine($"submitted {jobId} to {queueUrl}");
            var env = target.EnvironmentName is null ? "" : $" --env {target.EnvironmentName}";
            Console.Out.WriteLine($"follow it: tw wait {jobId}{env}   (tw status and tw cancel take the same arguments)");
        }

        return ExitCodes.Success;
    }

    private static async Task<string> CancelRecordAsync(IJobStore store, string jobId)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await store.RequestCancelAsync(jobId, bounded.Token).ConfigureAwait(false);
            return $"its record {jobId} is now Cancelled";
        }
        catch (Exception e) when (e is AwsServiceException or OperationCanceledException)
        {
            return $"its record {jobId} stays Queued (cancelling it failed: {e.Message})";
        }
    }

    private static async Task<string> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException($"spec: cannot read {file.FullName}: {e.Message}", "invalid_spec");
        }
    }

    private static JsonDocument ParseJson(FileInfo file, string text)
    {
        try
        {
            var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            throw new FleetInputException($"{file.Name}: a job spec must be a JSON object", "invalid_spec");
        }
        catch (JsonException e)
        {
            throw new FleetInputException($"{file.Name}: is not valid JSON: {e.Message}", "invalid_spec");
        }
    }

    /// <summary><c>{name}-{UTC yyyyMMdd-HHmmss}-{6 random hex}</c>; a name that is no valid id prefix becomes one.</summary>
    internal static string NewJobId(JsonElement spec)
    {
        var name = spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        name = InvalidIdCharacters().Replace(name, "-").Trim('-', '.', '_');
        if (name.Length == 0) name = "job";
        if (name.Length > 64) name = name[..64];
        return $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex InvalidIdCharacters();
}
