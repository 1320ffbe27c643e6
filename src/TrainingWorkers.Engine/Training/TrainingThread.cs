namespace TrainingWorkers.Engine.Training;

/// <summary>
/// Runs a training run's async body on one dedicated thread whose <see cref="SynchronizationContext"/>
/// brings every await back to it, so every libtorch call of the run comes from that one thread.
/// </summary>
/// <remarks>
/// libgomp gives each thread that enters a parallel region its own team of worker threads. Had the
/// loop's await continuations hopped across .NET pool threads, each would have started a team, and
/// idle teams spinning for work starved the busy one on a small machine (steps up to 3x slower).
/// With one thread there is one team, and its workers may spin between ops (libgomp's default),
/// which small steps such as an MLP's need: passive waiting made them ~25 % slower.
/// Awaits in the body must keep the context (no <c>ConfigureAwait(false)</c>); <see cref="EnsureCurrent"/> checks it.
/// </remarks>
internal sealed class TrainingThread : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    // Monitor.Wait/Pulse need a monitor: System.Threading.Lock has no condition variable.
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _finished;

    private TrainingThread() { }

    /// <summary>Runs <paramref name="body"/> on a new thread until the task it returns completes.</summary>
    public static Task<T> RunAsync<T>(string name, Func<TrainingThread, Task<T>> body)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = new TrainingThread();
        context._thread = new Thread(() => context.Pump(body, result)) { Name = name, IsBackground = true };
        context._thread.Start();
        return result.Task;
    }

    /// <summary>Throws unless called on this run's thread: an await that lost the context would otherwise go unnoticed (and slow).</summary>
    public void EnsureCurrent()
    {
        if (Thread.CurrentThread != _thread)
        {
            throw new InvalidOperationException($"libtorch was called from thread '{Thread.CurrentThread.Name}' ({Environment.CurrentManagedThreadId}), not from the run's thread '{_thread?.Name}': an await in the training run lost its context");
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            if (!_finished)
            {
                _queue.Enqueue((d, state));
                Monitor.Pulse(_gate);
                return;
            }
        }

        // The body has completed and the thread is gone: a stray continuation runs on the pool.
        ThreadPool.QueueUserWorkItem(s => d(s), state, preferLocal: false);
    }

    public override SynchronizationContext CreateCopy() => this;

    private void Pump<T>(Func<TrainingThread, Task<T>> body, TaskCompletionSource<T> result)
    {
        SetSynchronizationContext(this);
        var task = body(this);
        // Wakes the pump once the body has completed, wherever that completion happened.
        task.ContinueWith(_ => Finish(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (true)
        {
            (SendOrPostCallback Callback, object? State) next;
            lock (_gate)
            {
                while (_queue.Count == 0 && !task.IsCompleted) Monitor.Wait(_gate);
                if (_queue.Count == 0)
                {
                    _finished = true;
                    break;
                }

                next = _queue.Dequeue();
            }

            next.Callback(next.State);
        }

        result.TrySetFromTask(task);
    }

    private void Finish()
    {
        lock (_gate)
        {
            Monitor.Pulse(_gate);
        }
    }
}
