using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>A validated study request: <see cref="FineTuneRequest"/> or <see cref="TuneRequest"/>.</summary>
public abstract record StudyRequest
{
    /// <summary>The only request version this build reads (the job spec's).</summary>
    public const string ApiVersionV1 = JobSpec.ApiVersionV1;

    /// <summary>A name for people and the prefix of the study's id and of its jobs' names.</summary>
    public required string Name { get; init; }

    /// <summary>The job spec the study's jobs are made from (without fine_tune: the pipeline sets it).</summary>
    public required JsonObject Spec { get; init; }

    /// <summary>The same spec, parsed (its task and data decide which metrics exist).</summary>
    public required JobSpec ParsedSpec { get; init; }

    public abstract string Kind { get; }
}
