using System.Globalization;
using TrainingWorkers.FleetSimulator;

// fleet-sim [--out DIR] [--sweeps]: the scenarios with the deploy stack's defaults (pictures into DIR, verdicts as
// markdown on stdout); --sweeps adds the runs that vary one setting at a time. Exit code 1 when a property fails.
var outDirectory = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? "fleet-sim";
var settings = new SimulationSettings();
Directory.CreateDirectory(outDirectory);
var failed = 0;
Console.WriteLine($"Settings: target {settings.Target}, warm-up {settings.InstanceWarmup} s, hook timeout {settings.HandOffTimeout} s, " +
    $"from-zero periods {settings.ScaleFromZeroPeriods}, boot {settings.BootSeconds} s + worker start {settings.WorkerStartSeconds} s, " +
    $"metric delay {settings.MetricDelay} s, hand-off {settings.HandOffSeconds} s, checkpoint every {settings.CheckpointEvery} s");
foreach (var run in Scenarios.All(settings))
{
    var file = Path.Combine(outDirectory, run.Name + ".svg");
    await File.WriteAllTextAsync(file, FleetChart.Svg(run.Name, run.Result)).ConfigureAwait(false);
    Console.WriteLine();
    Console.WriteLine($"### {run.Name}: {run.Description}");
    Console.WriteLine();
    Console.WriteLine($"Picture: `{file}`. Jobs {run.Result.Completed} of {run.Result.Jobs.Count} completed, mean wait " +
        $"{(run.Result.MeanWait / 60).ToString("0.0", CultureInfo.InvariantCulture)} min, " +
        $"{run.Result.InstanceHours(run.Seconds).ToString("0.0", CultureInfo.InvariantCulture)} instance-hours.");
    Console.WriteLine();
    foreach (var check in run.Checks)
    {
        Console.WriteLine($"- {(check.Holds ? "holds" : "FAILS")}: {check.Property}: {check.Detail}");
        if (!check.Holds) failed++;
    }
}

if (args.Contains("--sweeps"))
{
    Console.WriteLine();
    Console.WriteLine(Sweeps.All(settings));
}

return failed == 0 ? 0 : 1;
