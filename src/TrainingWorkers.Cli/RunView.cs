using System.Globalization;
using Spectre.Console;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Cli;

/// <summary>What `tw run` shows a person: a header, a live progress bar per epoch, and a summary.</summary>
internal static class RunView
{
    public static void Header(IAnsiConsole console, JobSpec spec, DataSplits data, string device, string runPath)
    {
        console.MarkupLine($"[bold]{Markup.Escape(spec.Name)}[/]: {spec.Model.Type.ToString().ToLowerInvariant()} on {data.Train.Count:N0} training / {data.Validation?.Count ?? 0:N0} validation / {data.Test?.Count ?? 0:N0} test examples, device {device}");
        console.MarkupLine($"run directory [blue]{Markup.Escape(runPath)}[/]");
    }

    public static Task<TrainingResult> WithProgressAsync(IAnsiConsole console, Func<ITrainingObserver, Task<TrainingResult>> train) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(ctx => train(new ProgressObserver(ctx)));

    public static void Summary(IAnsiConsole console, TrainingResult result, RunDirectory run)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        table.AddRow("stopped", Why(result));
        if (result.ResumedFrom is not null) table.AddRow("resumed from", result.ResumedFrom);
        if (result.Monitor is not null) table.AddRow("best epoch", $"{result.BestEpoch} ({result.Monitor} {Format(result.BestValue)}){(result.RestoredBestWeights ? ", weights restored" : "")}");
        foreach (var (name, value) in (result.Test ?? result.Validation)?.Metrics(result.Test is null ? "val_" : "test_") ?? new Dictionary<string, double>())
        {
            table.AddRow(name, Format(value));
        }

        table.AddRow("time", $"{result.Duration.TotalSeconds:F1} s on {result.Device}");
        table.AddRow("model", Markup.Escape(run.ModelFile));
        table.AddRow("torchscript", Markup.Escape(run.TorchScriptFile) + " (torch.jit.load)");
        table.AddRow("checkpoints", Markup.Escape(run.CheckpointDirectory) + (result.LastCheckpoint is null ? "" : $" (last {result.LastCheckpoint})"));
        table.AddRow("report", Markup.Escape(run.ReportFile));
        console.Write(table);
    }

    private static string Why(TrainingResult result) => result.StopReason switch
    {
        StopReason.EarlyStopped => $"early, after epoch {result.History.Count}: {result.Monitor} did not improve",
        StopReason.Cancelled => "cancelled (a checkpoint was written first)",
        _ when result.History.Count == 0 => "evaluated only (training.epochs 0)",
        _ => $"all {result.History.Count} epochs ran",
    };

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>One bar per epoch: steps as progress, the running loss, then the epoch's metrics.</summary>
    private sealed class ProgressObserver(ProgressContext context) : ITrainingObserver
    {
        private ProgressTask? _task;
        private double _lossSum;

        public void EpochStarted(int epoch, int epochs, int steps)
        {
            _lossSum = 0;
            _task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: steps);
        }

        public void StepCompleted(int epoch, int step, int steps, double loss)
        {
            _lossSum += loss;
            if (_task is null) return;
            _task.Value = step;
            // Redrawing the text each step is cheap, but keep it to every 10th on long epochs.
            if (step % 10 == 0 || step == steps) _task.Description = $"epoch {epoch}  loss {_lossSum / step:F4}";
        }

        public void EpochCompleted(EpochSummary summary)
        {
            if (_task is null) return;
            var m = summary.Metrics;
            string Part(string name, string label) => m.TryGetValue(name, out var v) ? $"  {label} {v:F4}" : "";
            _task.Description = $"epoch {summary.Epoch}{Part(MetricNames.TrainLoss, "loss")}{Part(MetricNames.TrainAccuracy, "acc")}{Part(MetricNames.ValLoss, "val_loss")}{Part(MetricNames.ValAccuracy, "val_acc")}{Part("val_rmse", "val_rmse")}{(summary.Improved ? " *" : "")}";
            _task.StopTask();
        }

        public void CheckpointWritten(string id, string location) { }
    }
}
