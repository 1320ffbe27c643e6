using TrainingWorkers.Core.Failures;
using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using TrainingWorkers.Aws.Provisioning;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// <c>tw env create NAME</c> makes (or reuses) a fleet's queue with its dead-letter queue, bucket, table and log group and
/// records them in the environments file; <c>tw env list</c> shows the recorded environments.
/// </summary>
internal static partial class EnvCommand
{
    public static Command Create()
    {
        var env = new Command("env", "named fleet environments: where the queue, table and bucket are");
        env.Subcommands.Add(CreateCreate());
        env.Subcommands.Add(CreateList());
        return env;
    }

    private static Command CreateCreate()
    {
        var name = new Argument<string>("name") { Description = "the environment's name, e.g. local" };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "one endpoint for every AWS service (moto: http://127.0.0.1:5000/); leave out on real AWS" };
        var region = new Option<string?>("--region") { Description = "the AWS region (default: AWS_REGION or the profile's, else us-east-1)" };
        var prefix = new Option<string>("--prefix") { Description = "names: {prefix}-jobs (queue and table), {prefix}-jobs-dlq, {prefix}-artifacts, /trainingworkers/{prefix}/jobs (logs)", DefaultValueFactory = _ => "tw" };
        var maxReceives = new Option<int>("--max-receive-count") { Description = "receives of a message before it moves to the dead-letter queue (1..1000)", DefaultValueFactory = _ => 5 };
        var visibility = new Option<int>("--visibility-timeout") { Description = "the queue's default visibility timeout in seconds (0..43200)", DefaultValueFactory = _ => 60 };
        name.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is var n && (n is null || !NamePattern().IsMatch(n)))
                r.AddError($"NAME: must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, got '{n}'");
        });
        prefix.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is var p && !FleetProvisioner.IsValidPrefix(p))
                r.AddError($"--prefix: must be {FleetProvisioner.PrefixRule}, got '{p}'");
        });
        maxReceives.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var n && (n < 1 || n > FleetProvisioner.MaxReceiveCountLimit))
                r.AddError($"--max-receive-count: must be between 1 and {FleetProvisioner.MaxReceiveCountLimit} (SQS's limit), got {n}");
        });
        visibility.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var s && (s < 0 || s > FleetProvisioner.MaxVisibilityTimeoutSeconds))
                r.AddError($"--visibility-timeout: must be between 0 and {FleetProvisioner.MaxVisibilityTimeoutSeconds} seconds (SQS's 12 h), got {s}");
        });

        var command = new Command("create", "create (or reuse) a fleet's queue, dead-letter queue, bucket, table and log group, and record them") { name, endpoint, region, prefix, maxReceives, visibility };
        command.SetAction((parse, cancellationToken) => FleetCommand.RunAsync("env create", json: false, async () =>
        {
            var resolvedRegion = parse.GetValue(region) ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";
            var target = new FleetTarget
            {
                EnvironmentName = parse.GetValue(name),
                EnvironmentsPath = EnvironmentsFile.DefaultPath,
                Region = resolvedRegion,
                EndpointUrl = FleetTarget.ParseUrl(parse.GetValue(endpoint), "--endpoint-url"),
            };
            await using var services = target.CreateServices();
            var fleet = await services.GetRequiredService<FleetProvisioner>()
                .EnsureAsync(parse.GetValue(prefix)!, parse.GetValue(maxReceives), parse.GetValue(visibility), cancellationToken).ConfigureAwait(false);
            var environment = new FleetEnvironment
            {
                Region = target.Region,
                EndpointUrl = target.EndpointUrl?.ToString(),
                QueueUrl = fleet.QueueUrl,
                DeadLetterQueueUrl = fleet.DeadLetterQueueUrl,
                Table = fleet.Table,
                Bucket = fleet.Bucket,
                LogGroup = fleet.LogGroup,
            };
            Show(target, fleet, Record(target, environment));
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateList()
    {
        var command = new Command("list", "list the recorded environments (* marks the default)");
        command.SetAction((_, cancellationToken) => FleetCommand.RunAsync("env list", json: false, () =>
        {
            var path = EnvironmentsFile.DefaultPath;
            var file = EnvironmentsFile.Load(path);
            if (file is null || file.Environments.Count == 0)
            {
                Console.Out.WriteLine($"no environments in {path}; create one with: tw env create NAME [--endpoint-url URL]");
                return Task.FromResult(ExitCodes.Success);
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("", "name", "region", "endpoint", "queue", "table", "bucket");
            foreach (var (n, e) in file.Environments.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                table.AddRow(n == file.Default ? "*" : "", Markup.Escape(n), Markup.Escape(e.Region ?? ""), Markup.Escape(e.EndpointUrl ?? "(AWS)"),
                    Markup.Escape(e.QueueUrl ?? ""), Markup.Escape(e.Table ?? ""), Markup.Escape(e.Bucket ?? ""));
            }

            var console = FleetCommand.CreateConsole();
            console.Write(table);
            console.WriteLine(path);
            return Task.FromResult(ExitCodes.Success);
        }, cancellationToken));
        return command;
    }

    /// <summary>Writes the environment into the file; it becomes the default when there is none. Returns whether it is the default.</summary>
    private static bool Record(FleetTarget target, FleetEnvironment environment)
    {
        var file = EnvironmentsFile.Load(target.EnvironmentsPath) ?? new EnvironmentsFile();
        file.Environments[target.EnvironmentName!] = environment;
        file = file with { Default = file.Default ?? target.EnvironmentName };
        file.Save(target.EnvironmentsPath);
        return file.Default == target.EnvironmentName;
    }

    private static void Show(FleetTarget target, ProvisionedFleet fleet, bool isDefault)
    {
        var console = FleetCommand.CreateConsole();
        static string Word(bool made) => made ? "[green]created[/]" : "exists";
        var table = new Grid().AddColumns(3);
        var visibility = fleet.VisibilityTimeoutSeconds?.ToString(CultureInfo.InvariantCulture) ?? "?";
        table.AddRow("queue", Word(fleet.QueueCreated), Markup.Escape(fleet.QueueUrl) + $" (visibility {visibility} s; " + (fleet.RedrivesToDeadLetterQueue
            ? $"dead letters after {fleet.MaxReceiveCount} receives)"
            : "[yellow]its redrive policy does not name the dead-letter queue below[/]: set it with aws sqs set-queue-attributes)"));
        table.AddRow("dead-letter queue", Word(fleet.DeadLetterQueueCreated), Markup.Escape(fleet.DeadLetterQueueUrl));
        table.AddRow("bucket", Word(fleet.BucketCreated), Markup.Escape(fleet.Bucket));
        table.AddRow("table", Word(fleet.TableCreated), Markup.Escape(fleet.Table));
        table.AddRow("job logs", Word(fleet.LogGroupCreated), Markup.Escape(fleet.LogGroup));
        console.MarkupLine($"environment [bold]{Markup.Escape(target.EnvironmentName!)}[/] ({Markup.Escape(target.Region ?? "")}, {Markup.Escape(target.EndpointUrl?.ToString() ?? "AWS")})" +
            (isDefault ? ", the default" : ""));
        console.Write(table);
        console.WriteLine($"recorded in {target.EnvironmentsPath}");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();
}
