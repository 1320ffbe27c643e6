using TrainingWorkers.Core.Failures;
using System.CommandLine;
using TrainingWorkers.Cli;
using TrainingWorkers.Cli.Doctor;
using TrainingWorkers.Cli.Fleet;
using TrainingWorkers.Cli.Studies;
using TrainingWorkers.Core.Studies;

var root = new RootCommand("tw: train deep-learning models locally, and on the TrainingWorkers fleet");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ListCommand.Create());
root.Subcommands.Add(CancelCommand.Create());
root.Subcommands.Add(WaitCommand.Create());
root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(EnvCommand.Create());
root.Subcommands.Add(DatasetCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(StudySubmitCommand.Create(StudyKinds.FineTune));
root.Subcommands.Add(StudySubmitCommand.Create(StudyKinds.Tune));
root.Subcommands.Add(StudyCommand.Create());
var parse = root.Parse(args);

// Signals are ours (StopSignals), not System.CommandLine's, which would end a run 2 s after Ctrl-C.
using var signals = new StopSignals();
var code = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token).ConfigureAwait(false);
// A flag that breaks its rule is bad input like a bad spec (System.CommandLine itself would exit 1).
return parse.Errors.Count > 0 ? ExitCodes.InvalidInput : code;
