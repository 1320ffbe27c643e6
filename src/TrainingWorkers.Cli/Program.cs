using System.CommandLine;
using TrainingWorkers.Cli;

var root = new RootCommand("tw: train deep-learning models locally, and on the TrainingWorkers fleet");
root.Subcommands.Add(RunCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
