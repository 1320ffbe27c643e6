using System.CommandLine;
using TrainingWorkers.Cli;
using TrainingWorkers.Cli.Fleet;

var root = new RootCommand("tw: train deep-learning models locally, and on the TrainingWorkers fleet");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(CancelCommand.Create());
root.Subcommands.Add(WaitCommand.Create());
root.Subcommands.Add(EnvCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
