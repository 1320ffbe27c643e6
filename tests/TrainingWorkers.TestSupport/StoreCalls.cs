namespace TrainingWorkers.Testing;

/// <summary>
/// The calls of an in-memory store, run one at a time under one lock. Each first asks the fault given to
/// <see cref="FailNext"/> (with the operation's name) whether to fail instead, as a real store's call can: an AWS error,
/// a fatal one, a process that dies between two writes.
/// </summary>
internal sealed class StoreCalls
{
    private readonly Lock _gate = new();
    private Func<string, Exception?>? _fault;

    /// <summary>Every call from now on asks <paramref name="fault"/> (given the operation's name) whether to throw instead; null: none fails.</summary>
    public void FailNext(Func<string, Exception?>? fault) => _fault = fault;

    /// <summary>Runs <paramref name="body"/> under the lock, or fails with the injected fault without running it.</summary>
    public Task<T> Run<T>(string operation, Func<T> body)
    {
        lock (_gate)
        {
            return _fault?.Invoke(operation) is { } fault ? Task.FromException<T>(fault) : Task.FromResult(body());
        }
    }

    /// <summary>Runs <paramref name="body"/> under the lock, or fails with the injected fault without running it.</summary>
    public Task Run(string operation, Action body) => Run(operation, () =>
    {
        body();
        return true;
    });
}
