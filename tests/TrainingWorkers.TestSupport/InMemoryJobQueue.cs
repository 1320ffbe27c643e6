using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Testing;

/// <summary>
/// <see cref="IJobQueue"/> in memory: messages with a visibility deadline and a receive count, a dead-letter list,
/// and a log of every call, so tests can assert what the worker did with a message. A receive returns at once.
/// <see cref="FailNext"/> injects a failure into a call (an AWS error, a fatal one, a cancellation).
/// </summary>
public sealed class InMemoryJobQueue(TimeProvider time, QueuePolicy? policy = null) : IJobQueue
{
    private readonly Lock _gate = new();
    private readonly List<Message> _messages = [];
    private int _next;
    private Func<string, Exception?>? _fault;

    /// <summary>A message on the queue: its id, body, how often it was received, and when it becomes visible.</summary>
    public sealed class Message(string id, JobMessage job)
    {
        public string Id { get; } = id;
        public JobMessage Job { get; } = job;
        public int ReceiveCount { get; set; }
        public DateTimeOffset VisibleAt { get; set; }
        public string? Receipt { get; set; }
    }

    /// <summary>Every call from now on asks <paramref name="fault"/> (given the operation's name) whether to throw instead.</summary>
    public void FailNext(Func<string, Exception?> fault) => _fault = fault;

    /// <summary>Every call, as "Operation job-id [detail]", in order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Messages moved to the dead-letter queue, with the reason given.</summary>
    public List<(JobMessage Job, string Reason)> DeadLetters { get; } = [];

    /// <summary>The messages still on the queue.</summary>
    public IReadOnlyList<Message> Messages
    {
        get
        {
            lock (_gate) return _messages.ToList();
        }
    }

    public Task<string> SubmitAsync(JobMessage job, CancellationToken cancellationToken)
    {
        if (_fault?.Invoke(nameof(SubmitAsync)) is { } fault) return Task.FromException<string>(fault);
        lock (_gate)
        {
            var id = $"m{++_next}";
            _messages.Add(new Message(id, job) { VisibleAt = time.GetUtcNow() });
            Calls.Add($"Submit {job.JobId}");
            return Task.FromResult(id);
        }
    }

    public Task<IReadOnlyList<ReceivedJob>> ReceiveAsync(int maxJobs, TimeSpan wait, TimeSpan visibility, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var received = new List<ReceivedJob>();
            foreach (var m in _messages.Where(m => m.VisibleAt <= now).Take(maxJobs))
            {
                m.ReceiveCount++;
                m.VisibleAt = now + visibility;
                m.Receipt = $"{m.Id}/{m.ReceiveCount}";
                received.Add(ToReceived(m));
            }

            return Task.FromResult<IReadOnlyList<ReceivedJob>>(received);
        }
    }

    /// <summary>A receipt of the message of <paramref name="jobId"/>, as a worker's receive would give it (counted as a receive).</summary>
    public ReceivedJob Receive(string jobId, TimeSpan visibility)
    {
        lock (_gate)
        {
            var m = _messages.Single(x => x.Job.JobId == jobId);
            m.ReceiveCount++;
            m.VisibleAt = time.GetUtcNow() + visibility;
            m.Receipt = $"{m.Id}/{m.ReceiveCount}";
            return ToReceived(m);
        }
    }

    public Task ExtendAsync(ReceivedJob job, TimeSpan visibility, CancellationToken cancellationToken) =>
        Held(job, "Extend", m => m.VisibleAt = time.GetUtcNow() + visibility, $"{visibility.TotalSeconds:0.#}s");

    public Task ReleaseAsync(ReceivedJob job, CancellationToken cancellationToken) => Held(job, "Release", m => m.VisibleAt = time.GetUtcNow());

    public Task CompleteAsync(ReceivedJob job, CancellationToken cancellationToken) => Held(job, "Complete", m => _messages.Remove(m));

    public Task DeadLetterAsync(ReceivedJob job, string reason, CancellationToken cancellationToken) => Held(job, "DeadLetter", m =>
    {
        _messages.Remove(m);
        DeadLetters.Add((m.Job, reason));
    });

    public Task<QueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return Task.FromResult(new QueueDepth(_messages.Count(m => m.VisibleAt <= now), _messages.Count(m => m.VisibleAt > now), 0));
        }
    }

    public Task<QueuePolicy> GetPolicyAsync(CancellationToken cancellationToken) => Task.FromResult(policy ?? new QueuePolicy(TimeSpan.FromSeconds(30), null, null));

    private static ReceivedJob ToReceived(Message m) => new()
    {
        MessageId = m.Id, ReceiptHandle = m.Receipt!, ReceiveCount = m.ReceiveCount, SentAt = DateTimeOffset.UnixEpoch, Job = m.Job, Body = m.Job.JobId,
    };

    // Like SQS, a receipt that is not the message's newest (or of a deleted message) changes nothing.
    private Task Held(ReceivedJob job, string operation, Action<Message> change, string? detail = null)
    {
        lock (_gate)
        {
            Calls.Add($"{operation} {job.Job?.JobId ?? job.MessageId}{(detail is null ? "" : " " + detail)}");
            if (_messages.FirstOrDefault(m => m.Id == job.MessageId && m.Receipt == job.ReceiptHandle) is { } message) change(message);
            return Task.CompletedTask;
        }
    }
}
