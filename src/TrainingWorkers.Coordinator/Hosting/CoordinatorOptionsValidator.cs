using Microsoft.Extensions.Options;

namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>Checks <see cref="CoordinatorOptions"/> at start-up and lists every problem, each with its setting and rule.</summary>
internal sealed class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinatorOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string setting, string rule, object? got)
        {
            if (!ok) errors.Add($"Coordinator:{setting}: {rule}, got {got ?? "nothing"}");
        }

        Check(o.LeaseDuration >= TimeSpan.FromSeconds(3) && o.LeaseDuration <= TimeSpan.FromHours(1), nameof(o.LeaseDuration), "must be between 00:00:03 and 01:00:00", o.LeaseDuration);
        Check(o.PollInterval >= TimeSpan.FromMilliseconds(100) && o.PollInterval * 2 <= o.LeaseDuration, nameof(o.PollInterval),
            $"must be at least 00:00:00.1 and at most half of LeaseDuration ({o.LeaseDuration}): every step renews the lease", o.PollInterval);
        Check(o.MaxStudies is >= 1 and <= 1000, nameof(o.MaxStudies), "must be between 1 and 1000", o.MaxStudies);
        Check(o.HealthPort is >= 0 and <= 65535, nameof(o.HealthPort), "must be between 0 (off) and 65535", o.HealthPort);
        if (o.CoordinatorId is { Length: > 0 } id) Check(id.Length <= 128 && !id.Any(char.IsControl), nameof(o.CoordinatorId), "must be at most 128 printable characters", id);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
