using System.Globalization;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Failures;

/// <summary>What a user can do about a failure of their job: added to the message where the spec holds the lever.</summary>
public static class FailureAdvice
{
    public static JobFailure For(JobFailure failure, JobSpec? spec)
    {
        var advice = failure.Kind switch
        {
            FailureKind.OutOfMemory when spec is not null => string.Create(CultureInfo.InvariantCulture,
                $"lower training.batch_size (now {spec.Training.BatchSize}){(spec.Training.Precision == Precision.Fp32 ? " or use training.precision bf16" : "")}, or use a larger instance"),
            FailureKind.OutOfMemory => "lower training.batch_size or use training.precision bf16",
            FailureKind.DiskFull => "free space where the run writes checkpoints (checkpointing.keep_last keeps fewer), or give the worker a larger volume",
            _ => null,
        };
        return advice is null ? failure : failure with { Message = FailureText.Bound($"{failure.Message} (advice: {advice})", FailureText.MaxMessage + 200) };
    }
}
