using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>An attempt runner that returns what the test scripts, optionally after waiting for the test (or the attempt's stop) to let it end.</summary>
internal sealed class ScriptedAttempts : IAttemptRunner
{
    public Func<AttemptContext, AttemptEnd> Next { get; set; } = _ => new AttemptEnd { Launch = new LaunchResult { Succeeded = true } };

    /// <summary>When set, each attempt waits for it (or for its stop) before it ends.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when an attempt has started.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Runs { get; private set; }

    public List<AttemptContext> Contexts { get; } = [];

    public async Task<AttemptEnd> RunAsync(AttemptContext context)
    {
        Runs++;
        Contexts.Add(context);
        Started.TrySetResult();
        if (Gate is { } gate) await Task.WhenAny(gate.Task, Task.Delay(Timeout.Infinite, context.Stop.Token)).ConfigureAwait(false);
        return Next(context);
    }
}
