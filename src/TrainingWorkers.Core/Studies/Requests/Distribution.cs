namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>How a parameter's values are drawn.</summary>
public enum Distribution
{
    /// <summary>One of a list of values (any JSON: numbers, strings, arrays).</summary>
    Choice,
    /// <summary>A real number, uniform between the bounds.</summary>
    Uniform,
    /// <summary>A real number whose logarithm is uniform between the bounds' (learning rates, weight decay).</summary>
    LogUniform,
    /// <summary>An integer between the bounds (both included) on a step, uniform or log-uniform.</summary>
    Int,
}
