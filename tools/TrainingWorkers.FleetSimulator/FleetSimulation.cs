namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// The fleet second by second: jobs arrive on the queue; the group launches and terminates instances toward its
/// desired capacity (on-demand base, Spot above it, scale-in only of unprotected instances, a termination hook that
/// waits for the hand-off); workers boot, take jobs, protect their instance while training, checkpoint, hand off on
/// a Spot notice or a termination; each minute the metrics reach CloudWatch late and the policies act on them.
/// </summary>
internal sealed class FleetSimulation
{
    /// <summary>After a worker dies without handing off, its job's message is visible again after the lease (the worker's default).</summary>
    public const int LeaseSeconds = 120;
    private const int ImdsPoll = 5;
    private readonly SimulationSettings _s;
    private readonly IJobDispatcher _dispatcher;
    private readonly Random _random;
    private readonly List<SimJob> _jobs;
    private readonly List<SimInstance> _instances = [];
    private readonly List<Datapoint> _datapoints = [];
    private readonly Dictionary<SimJob, int> _returnsAt = [];
    private readonly ScalingPolicies _policies;
    private int _desired;
    private int _scaleInKills;

    public FleetSimulation(SimulationSettings settings, IReadOnlyList<JobArrival> arrivals, IJobDispatcher? dispatcher = null)
    {
        _s = settings;
        _dispatcher = dispatcher ?? new FifoDispatcher();
        _random = new Random(settings.Seed);
        _jobs = arrivals.OrderBy(a => a.At).Select((a, i) => new SimJob(i, a)).ToList();
        _policies = new ScalingPolicies(settings);
        _desired = settings.MinSize;
    }

    public SimulationResult Run(int seconds)
    {
        for (var t = 0; t <= seconds; t++)
        {
            Boot(t);
            Interruptions(t);
            HandOffs(t);
            Work(t);
            if (t > 0 && t % 60 == 0) Minute(t);
            Reconcile(t);
        }

        return new SimulationResult(_s, _jobs, _datapoints, _policies.Activities, _scaleInKills, _instances);
    }

    private IEnumerable<SimInstance> Counted => _instances.Where(i => i.Counted);

    private void Boot(int t)
    {
        foreach (var i in _instances.Where(i => i.State == InstanceState.Pending && t >= i.Launched + _s.BootSeconds))
        {
            i.State = InstanceState.InService;
            i.InServiceAt = t;
            i.WorkerReadyAt = t + _s.WorkerStartSeconds;
            // A rebalancing replacement in service: the instance at risk goes (through the termination hook).
            if (_instances.FirstOrDefault(old => old.Replaced && old.State == InstanceState.InService && old.TerminationCause is null) is { } atRisk)
            {
                Terminate(atRisk, t, "rebalance", t + _s.HandOffTimeout);
            }
        }
    }

    private void Interruptions(int t)
    {
        foreach (var i in _instances.Where(i => i.SpotInterruptionAt is { } at && i.State is InstanceState.Pending or InstanceState.InService).ToList())
        {
            var at = i.SpotInterruptionAt!.Value;
            if (_s.RebalanceLeadSeconds > 0 && t == at - _s.RebalanceLeadSeconds && !i.Replaced)
            {
                // Capacity rebalancing: the group launches a replacement (Reconcile no longer counts this one) and
                // terminates this one when the replacement is in service.
                i.Replaced = true;
            }

            if (t == at - _s.SpotNoticeSeconds) Terminate(i, t, "spot", at);
        }
    }

    private void Terminate(SimInstance i, int t, string cause, int goneAt)
    {
        i.State = InstanceState.Terminating;
        i.TerminationCause = cause;
        i.GoneAt = goneAt;
        // The worker reads the notice or the lifecycle state from IMDS, then hands its job off.
        i.HandOffDone = t + ImdsPoll + (i.Job is null ? 0 : _s.HandOffSeconds);
    }

    private void HandOffs(int t)
    {
        foreach (var i in _instances.Where(i => i.State == InstanceState.Terminating))
        {
            if (i.Job is { } job && t == i.HandOffDone && t <= i.GoneAt)
            {
                // Stopped, checkpointed, uploaded and given back: another worker resumes from here at once.
                job.Checkpointed = job.Progress;
                job.Visible = true;
                i.Job = null;
            }

            if (t >= i.GoneAt || (i.Job is null && t >= i.HandOffDone))
            {
                if (i.Job is { } lost)
                {
                    // Gone mid-hand-off: the work since the last checkpoint is lost; the lease runs out, the message returns.
                    lost.WorkLost += lost.Progress - lost.Checkpointed;
                    lost.Progress = lost.Checkpointed;
                    _returnsAt[lost] = t + LeaseSeconds;
                    i.Job = null;
                }

                i.State = InstanceState.Terminated;
            }
        }

        foreach (var (job, at) in _returnsAt.Where(r => r.Value == t).ToList())
        {
            job.Visible = true;
            _returnsAt.Remove(job);
        }
    }

    private void Work(int t)
    {
        var ready = _instances.Where(i => i.State == InstanceState.InService && t >= i.WorkerReadyAt).ToList();
        foreach (var i in ready.Where(i => i.Job is not null))
        {
            var job = i.Job!;
            job.Progress++;
            // The worker protects its instance right after it takes a job: one second later here.
            i.Protected = true;
            if ((t - i.JobStarted) % _s.CheckpointEvery == 0) job.Checkpointed = job.Progress;
            if (job.Progress >= job.Arrival.Work)
            {
                job.Finished = t;
                job.Checkpointed = job.Progress;
                i.Job = null;
            }
        }

        var visible = _jobs.Where(j => j.Visible && j.Finished is null && j.Arrival.At <= t).ToList();
        var idle = ready.Where(i => i.Job is null).ToList();
        foreach (var (job, worker) in _dispatcher.Dispatch(visible, idle))
        {
            job.Visible = false;
            job.Attempts++;
            job.FirstStart ??= t;
            worker.Job = job;
            worker.JobStarted = t;
        }

        // An idle worker lifts its instance's protection, so that scale-in may pick it.
        foreach (var i in ready.Where(i => i.Job is null)) i.Protected = false;
    }

    private void Minute(int t)
    {
        var inService = _instances.Count(i => i.State == InstanceState.InService && i.TerminationCause is null);
        _datapoints.Add(new Datapoint(t,
            _jobs.Count(j => j.Visible && j.Finished is null && j.Arrival.At <= t),
            _jobs.Count(j => !j.Visible && j.Finished is null),
            inService,
            _instances.Count(i => i.State == InstanceState.Pending),
            _desired,
            Counted.Count(i => i.Market == Market.Spot),
            Counted.Count(i => i.Market == Market.OnDemand)));
        var available = _datapoints.Where(d => d.At <= t - _s.MetricDelay).ToList();
        var warming = _instances.Any(i => i.State == InstanceState.Pending || (i.State == InstanceState.InService && t < i.InServiceAt + _s.InstanceWarmup));
        _desired = _policies.Evaluate(t, available, _desired, inService, warming);
    }

    private void Reconcile(int t)
    {
        var counted = Counted.Count(i => !i.Replaced);
        for (; counted < _desired; counted++) Launch(t);
        if (counted <= _desired) return;
        foreach (var i in Counted.Where(i => i.State == InstanceState.InService && !i.Protected).Take(counted - _desired).ToList())
        {
            // A job started here this second, before its worker protected the instance: a running job hit by scale-in.
            if (i.Job is not null) _scaleInKills++;
            Terminate(i, t, "scale-in", t + _s.HandOffTimeout);
        }
    }

    private void Launch(int t)
    {
        var onDemand = Counted.Count(i => i.Market == Market.OnDemand);
        var total = Counted.Count();
        var aboveBase = Math.Max(0, total - _s.OnDemandBaseCapacity);
        var onDemandAboveBase = Math.Max(0, onDemand - _s.OnDemandBaseCapacity);
        var market = onDemand < _s.OnDemandBaseCapacity || onDemandAboveBase * 100 < _s.OnDemandPercentAboveBase * (aboveBase + 1) ? Market.OnDemand : Market.Spot;
        var instance = new SimInstance(_instances.Count, market, t);
        if (market == Market.Spot && _s.SpotInterruptionsPerHour > 0)
        {
            // Exponential lifetimes: a constant interruption rate per Spot instance-hour.
            instance.SpotInterruptionAt = t + _s.BootSeconds + (int)(-Math.Log(1 - _random.NextDouble()) * 3600 / _s.SpotInterruptionsPerHour);
        }

        _instances.Add(instance);
    }
}
