using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Cli.Fleet;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Cli.Studies;

/// <summary>
/// <c>tw finetune REQUEST.json</c> and <c>tw tune SWEEP.json</c>: validate the request with every error (exit 2, nothing
/// recorded), check what it names (the base model's job, the warm start's study), and record the study for a coordinator.
/// </summary>
internal static class StudySubmitCommand
{
    public static Command Create(string kind)
    {
        var (what, example) = kind == StudyKinds.FineTune
            ? ("run a transfer-learning pipeline (stages or a comparison of approaches) on the fleet", "examples/studies/finetune-gradual.json")
            : ("run a hyperparameter sweep on the fleet", "examples/studies/tune-random-asha.json");
        var request = new Argument<FileInfo>("request") { Description = $"the {kind} request (JSON), e.g. {example}" };
        var studyId = new Option<string?>("--study-id") { Description = "the study's id (default: {name}-{UTC yyyyMMdd-HHmmss}-{6 hex})" };
        var output = FleetOptions.CreateOutput();
        var command = new Command(kind, what) { request, studyId, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync(kind, json, () => SubmitAsync(kind, parse.GetValue(request)!, parse.GetValue(studyId), json, () => fleet.Resolve(parse), cancellationToken),
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> SubmitAsync(string kind, FileInfo file, string? studyId, bool json, Func<FleetTarget> resolve, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetInputException($"request: cannot read {file.FullName}: {e.Message}", "invalid_request");
        }

        StudyRequest parsed;
        try
        {
            parsed = StudyRequestParser.Parse(text, kind);
        }
        catch (InvalidRequestException e)
        {
            throw new FleetInputException($"{file.Name}: invalid {kind} request, nothing was submitted", "invalid_request", e.Errors.Select(x => x.ToString()).ToList());
        }

        var target = resolve();
        await using var services = target.CreateServices();
        string id;
        try
        {
            id = await new StudySubmission(services.GetRequiredService<IStudyStore>(), services.GetRequiredService<IJobStore>())
                .SubmitAsync(parsed, text, studyId, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (JobInputException e)
        {
            throw new FleetInputException($"{(e.Field == "study_id" ? "--study-id" : $"{file.Name}: {e.Field}")}: {e.Rule}", e.Field == "study_id" ? "study_exists" : "invalid_request");
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["study_id"] = id, ["kind"] = kind, ["name"] = parsed.Name, ["table"] = target.Table }, JobView.Json));
        }
        else
        {
            Console.Out.WriteLine($"submitted {kind} study {id} ({Describe(parsed)}) to table {target.Table}; a coordinator runs it");
            var env = target.EnvironmentName is null ? "" : $" --env {target.EnvironmentName}";
            Console.Out.WriteLine($"follow it: tw study wait {id}{env}   (tw study status and tw study cancel take the same arguments)");
        }

        return ExitCodes.Success;
    }

    private static string Describe(StudyRequest request) => request switch
    {
        FineTuneRequest f => $"{string.Join(", ", FineTunePlan.Approaches(f).Select(a => a.ToString().ToLowerInvariant()))} from {f.BaseModel.Job ?? f.BaseModel.Uri ?? f.BaseModel.TorchScript}, ranked on {f.Monitor}",
        TuneRequest t => $"{t.Trials} trials, {t.Parallel} at a time, {t.Search.Method.ToString().ToLowerInvariant()} search, stopping {t.Stopping.Rule.ToString().ToLowerInvariant()}, {(t.Objective.HigherIsBetter ? "maximizing" : "minimizing")} {t.Objective.Metric}",
        _ => request.Kind,
    };
}
