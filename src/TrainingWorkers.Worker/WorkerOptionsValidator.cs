using Microsoft.Extensions.Options;

namespace TrainingWorkers.Worker;

/// <summary>Checks <see cref="WorkerOptions"/> at start-up and lists every problem, each with its setting and rule.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string setting, string rule, object? got)
        {
            if (!ok) errors.Add($"Worker:{setting}: {rule}, got {got ?? "nothing"}");
        }

        Check(o.MaxConcurrentJobs is >= 1 and <= 64, nameof(o.MaxConcurrentJobs), "must be between 1 and 64", o.MaxConcurrentJobs);
        Check(o.ProcessesPerJob is >= 0 and <= 64, nameof(o.ProcessesPerJob), "must be between 0 (one per GPU) and 64", o.ProcessesPerJob);
        Check(o.LeaseDuration >= TimeSpan.FromSeconds(5) && o.LeaseDuration <= TimeSpan.FromHours(12), nameof(o.LeaseDuration), "must be between 00:00:05 and 12:00:00", o.LeaseDuration);
        Check(o.HeartbeatFraction is > 0.1 and <= 0.9, nameof(o.HeartbeatFraction), "must be > 0.1 and <= 0.9", o.HeartbeatFraction);
        Check(o.PollWait >= TimeSpan.Zero && o.PollWait <= TimeSpan.FromSeconds(20), nameof(o.PollWait), "must be between 00:00:00 and 00:00:20 (the SQS long-poll limit)", o.PollWait);
        Check(o.MaxAttempts is >= 1 and <= 100, nameof(o.MaxAttempts), "must be between 1 and 100", o.MaxAttempts);
        Check(o.RetryBackoff >= TimeSpan.Zero && o.RetryBackoff <= TimeSpan.FromMinutes(15), nameof(o.RetryBackoff), "must be between 00:00:00 and 00:15:00 (the SQS delay limit)", o.RetryBackoff);
        Check(o.MessageRenewAfter > o.LeaseDuration && o.MessageRenewAfter < TimeSpan.FromHours(12), nameof(o.MessageRenewAfter), "must be longer than LeaseDuration and under 12:00:00 (the SQS visibility cap)", o.MessageRenewAfter);
        Check(o.ShutdownTimeout >= TimeSpan.FromSeconds(5), nameof(o.ShutdownTimeout), "must be at least 00:00:05", o.ShutdownTimeout);
        Check(o.MaxRankRestarts is >= 0 and <= 10, nameof(o.MaxRankRestarts), "must be between 0 and 10", o.MaxRankRestarts);
        Check(o.ProgressTimeout > o.CollectiveTimeout, nameof(o.ProgressTimeout), $"must be longer than CollectiveTimeout ({o.CollectiveTimeout})", o.ProgressTimeout);
        Check(o.CollectiveTimeout >= TimeSpan.FromSeconds(1), nameof(o.CollectiveTimeout), "must be at least 00:00:01", o.CollectiveTimeout);
        Check(o.MasterPort == 0 || o.MasterPort is >= 1024 and <= 65000, nameof(o.MasterPort), "must be 0 (a free port per launch) or between 1024 and 65000", o.MasterPort);
        Check(o.HealthPort is >= 0 and <= 65535, nameof(o.HealthPort), "must be between 0 (off) and 65535", o.HealthPort);
        Check(o.InstancePollInterval >= TimeSpan.FromSeconds(1), nameof(o.InstancePollInterval), "must be at least 00:00:01", o.InstancePollInterval);
        Check(o.MaxNodes is >= 1 and <= Core.Spec.ResourcesSpec.MaxNodes, nameof(o.MaxNodes), $"must be between 1 and {Core.Spec.ResourcesSpec.MaxNodes}", o.MaxNodes);
        Check(o.Address is null || !string.IsNullOrWhiteSpace(o.Address), nameof(o.Address), "must not be blank", o.Address);
        Check(o.RegistrationInterval >= TimeSpan.FromSeconds(1) && o.RegistrationInterval <= TimeSpan.FromMinutes(1), nameof(o.RegistrationInterval), "must be between 00:00:01 and 00:01:00", o.RegistrationInterval);
        Check(o.JoinTimeout >= TimeSpan.FromSeconds(5) && o.JoinTimeout <= TimeSpan.FromHours(1), nameof(o.JoinTimeout), "must be between 00:00:05 and 01:00:00", o.JoinTimeout);
        Check(o.GangRetryDelay >= TimeSpan.FromSeconds(1) && o.GangRetryDelay <= TimeSpan.FromMinutes(10), nameof(o.GangRetryDelay), "must be between 00:00:01 and 00:10:00 (under the SQS delay limit with its jitter)", o.GangRetryDelay);
        Check(o.GangWatchInterval >= TimeSpan.FromSeconds(1) && o.GangWatchInterval <= o.LeaseDuration, nameof(o.GangWatchInterval), $"must be between 00:00:01 and LeaseDuration ({o.LeaseDuration})", o.GangWatchInterval);
        Check(!string.IsNullOrWhiteSpace(o.WorkDirectory), nameof(o.WorkDirectory), "must be set", o.WorkDirectory);
        if (o.TwExecutable is { Length: > 0 } tw) Check(File.Exists(tw), nameof(o.TwExecutable), "must be an existing file", tw);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
