namespace TrainingWorkers.Hosting;

/// <summary>What a host's health endpoints answer (<see cref="HealthServer"/>); implemented by the host's state.</summary>
public interface IHealthReport
{
    /// <summary>The host's main loop still turns: <c>/health/live</c> answers 200, else 503.</summary>
    bool IsLive { get; }

    /// <summary>The start-up checks passed and no stop has begun: with <see cref="IsLive"/>, <c>/health/ready</c> answers 200.</summary>
    bool IsReady { get; }

    /// <summary>The JSON body of both endpoints, serialized as is (its property names are the JSON field names).</summary>
    /// <param name="live">The <see cref="IsLive"/> the status code was decided on, so that the body agrees with it.</param>
    object Status(bool live);
}
