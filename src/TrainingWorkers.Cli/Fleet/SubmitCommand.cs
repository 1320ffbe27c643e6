using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// <c>tw submit job.json</c>: validates the spec, records the job as Queued and puts its message on the queue
/// (<see cref="JobSubmission"/>, shared with the coordinator). The spec goes as written: the worker resolves its data paths (<c>s3://</c>, <c>fashion-mnist</c>, or its own files).
/// </summary>
internal static class SubmitCommand
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
        using var document = ParseJson(specFile, text);
        var message = Prepare(specFile, document.RootElement, jobId, validate);
        var target = resolve();
        var queueUrl = target.RequireQueueUrl();
        await using var services = target.CreateServices();
        SubmittedJob job;
        try
        {
            job = await new JobSubmission(services.GetRequiredService<IJobStore>(), services.GetRequiredService<IJobQueue>())
                .SubmitAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (JobExistsException e)
        {
            throw new FleetInputException($"--job-id: job '{e.JobId}' already exists in table {target.Table}", "job_exists");
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["job_id"] = job.JobId, ["message_id"] = job.MessageId, ["queue_url"] = queueUrl.ToString(),
            }, JobView.Json));
        }
        else
        {
            Console.Out.WriteLine($"submitted {job.JobId} to {queueUrl}");
            var env = target.EnvironmentName is null ? "" : $" --env {target.EnvironmentName}";
            Console.Out.WriteLine($"follow it: tw wait {job.JobId}{env}   (tw status and tw cancel take the same arguments)");
        }

        return ExitCodes.Success;
    }

    // Every check that needs no AWS, before the environment is resolved: a bad spec is reported even without one.
    private static JobMessage Prepare(FileInfo specFile, JsonElement spec, string? jobId, bool validate)
    {
        try
        {
            return JobSubmission.Prepare(spec, jobId, validate);
        }
        catch (InvalidSpecException e)
        {
            throw new FleetInputException($"{specFile.Name}: invalid job spec, nothing was queued", "invalid_spec", e.Errors.Select(x => x.ToString()).ToList());
        }
        catch (JobInputException e) when (e.Field == "job_id")
        {
            throw new FleetInputException($"--job-id: {e.Rule}");
        }
        catch (JobInputException e)
        {
            throw new FleetInputException($"{specFile.Name}: {e.Message}", "invalid_message");
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
            // Strict JSON, as the spec parser and the workers read it (docs/failures.md).
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            throw new FleetInputException($"{file.Name}: a job spec must be a JSON object", "invalid_spec");
        }
        catch (JsonException e)
        {
            throw new FleetInputException($"{file.Name}: is not valid JSON: {FailureText.Bound(e.Message, FailureText.MaxName)}", "invalid_spec");
        }
    }
}
