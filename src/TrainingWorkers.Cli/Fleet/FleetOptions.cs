using System.CommandLine;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// The flags every fleet command shares: which environment, and fields that override it. Selection:
/// <c>--env</c>, else <c>$TW_ENV</c>, else the file's default; with none at all the flags alone are used.
/// </summary>
internal sealed class FleetOptions
{
    private readonly Option<string?> _env = new("--env") { Description = "the named environment (default: $TW_ENV, else the environments file's default)" };
    private readonly Option<string?> _queueUrl = new("--queue-url") { Description = "the SQS jobs queue (overrides the environment's)" };
    private readonly Option<string?> _endpointUrl = new("--endpoint-url") { Description = "one endpoint for every AWS service, e.g. moto's http://127.0.0.1:5000/" };
    private readonly Option<string?> _region = new("--region") { Description = "the AWS region (default: the environment's, else AWS_REGION or the profile)" };
    private readonly Option<string?> _table = new("--table") { Description = "the DynamoDB jobs table (default: the environment's, else tw-jobs)" };

    /// <summary><c>-o text|json</c>, shared by the commands that print a result.</summary>
    public static Option<string> CreateOutput()
    {
        var output = new Option<string>("--output", "-o") { Description = "text (tables, progress) or json (one object on stdout)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    public static FleetOptions AddTo(Command command)
    {
        var fleet = new FleetOptions();
        foreach (var o in new Option[] { fleet._env, fleet._queueUrl, fleet._endpointUrl, fleet._region, fleet._table }) command.Options.Add(o);
        return fleet;
    }

    /// <summary>
    /// The overrides the flags give, as the worker's configuration keys (<c>Aws:Queue:QueueUrl</c>, ...; null where a
    /// flag is absent), for a command that layers them over the worker's <c>TW_</c> variables.
    /// </summary>
    public Dictionary<string, string?> AsConfiguration(ParseResult parse) => new()
    {
        ["Aws:Queue:QueueUrl"] = parse.GetValue(_queueUrl),
        ["Aws:ServiceUrl"] = parse.GetValue(_endpointUrl),
        ["Aws:Region"] = parse.GetValue(_region),
        ["Aws:JobTable:TableName"] = parse.GetValue(_table),
    };

    /// <summary>The environment chosen by the flags and <c>$TW_ENV</c>, with the flags' overrides applied.</summary>
    public FleetTarget Resolve(ParseResult parse)
    {
        var path = EnvironmentsFile.DefaultPath;
        var file = EnvironmentsFile.Load(path);
        var (name, source) = parse.GetValue(_env) is { Length: > 0 } flag ? (flag, "--env")
            : Environment.GetEnvironmentVariable("TW_ENV") is { Length: > 0 } variable ? (variable, "$TW_ENV")
            : (file?.Default, "the default");
        FleetEnvironment? environment = null;
        if (name is not null)
        {
            if (file is null)
            {
                throw new FleetInputException($"{source}: environment '{name}' is unknown: {path} does not exist (create one with `tw env create {name}`)", "unknown_environment");
            }

            if (!file.Environments.TryGetValue(name, out environment))
            {
                throw new FleetInputException($"{source}: environment '{name}' is not in {path} (known: {EnvironmentsFile.Known(file)})", "unknown_environment");
            }
        }

        return new FleetTarget
        {
            EnvironmentName = name,
            EnvironmentsPath = path,
            Region = parse.GetValue(_region) ?? environment?.Region,
            EndpointUrl = FleetTarget.ParseUrl(parse.GetValue(_endpointUrl), "--endpoint-url") ?? FleetTarget.ParseUrl(environment?.EndpointUrl, $"{path}: {name}.endpoint_url"),
            QueueUrl = FleetTarget.ParseUrl(parse.GetValue(_queueUrl), "--queue-url") ?? FleetTarget.ParseUrl(environment?.QueueUrl, $"{path}: {name}.queue_url"),
            Table = parse.GetValue(_table) ?? environment?.Table ?? FleetTarget.DefaultTable,
            Bucket = environment?.Bucket,
            LogGroup = environment?.LogGroup,
        };
    }
}
