using System.Globalization;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>Whether this fleet can run what a spec's <c>resources</c> ask for; a refusal names the field and the limit.</summary>
internal static class ResourceCheck
{
    /// <returns>Null when it can, else the bad input to fail the job with at once (no other attempt would pass).</returns>
    public static JobInputException? Refusal(JobSpec spec, JobSlot slot, WorkerOptions options)
    {
        var r = spec.Resources;
        if (r.Nodes > options.MaxNodes)
        {
            return new JobInputException("resources.nodes", $"asks for {Text(r.Nodes)} nodes, more than this fleet's maximum of {Text(options.MaxNodes)} " +
                "(Worker:MaxNodes, which the fleet stack sets to its Auto Scaling group's maximum size)");
        }

        if (slot.Gpus.Count > 0 && r.GpusPerNode is { } gpus && gpus > slot.Gpus.Count)
        {
            return new JobInputException("resources.gpus_per_node", $"asks for {Text(gpus)} GPUs per node; this fleet's workers have {Text(slot.Gpus.Count)} " +
                "per job slot: use instance types with at least that many, or ask for fewer");
        }

        return null;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
