using TrainingWorkers.Core.Failures;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary><c>tw list</c>: the newest jobs with their status and progress.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "how many jobs, newest first (1..1000)", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError($"--limit: must be between 1 and 1000, got {r.GetValueOrDefault<int>()}");
        });
        var output = FleetOptions.CreateOutput();
        var command = new Command("list", "list the fleet's jobs, newest first") { limit, output };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("list", json, async () =>
            {
                await using var services = fleet.Resolve(parse).CreateServices();
                var jobs = await services.GetRequiredService<IJobStore>().ListAsync(parse.GetValue(limit), cancellationToken).ConfigureAwait(false);
                if (json) Console.Out.WriteLine(JobView.ToJson(jobs));
                else JobView.WriteList(FleetCommand.CreateConsole(), jobs);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }
}
