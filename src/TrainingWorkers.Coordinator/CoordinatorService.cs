using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Coordinator.Hosting;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// The study loop: every <see cref="CoordinatorOptions.PollInterval"/>, claims open studies up to
/// <see cref="CoordinatorOptions.MaxStudies"/>, and for each held study renews its lease and takes one step. A study whose
/// step fails is tried again at the next turn; an AWS error no retry fixes stops the coordinator with exit code 3. On stop
/// the leases are released, so another coordinator takes the studies over at once.
/// </summary>
internal sealed class CoordinatorService(IStudyStore store, StudyTurns turns, CoordinatorState state, CoordinatorIdentity identity,
    IOptions<CoordinatorOptions> options, IOptions<AwsOptions> aws, ILogger<CoordinatorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var leases = new StudyLeases(store, identity.Id, o.LeaseDuration, o.MaxStudies, logger);
        Log.Started(logger, identity.Id, o.LeaseDuration, o.PollInterval, o.MaxStudies, aws.Value.JobTable.TableName);
        state.Ready = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                state.Beat();
                await turns.RunAsync(leases, stoppingToken).ConfigureAwait(false);
                state.SetHeld(leases.Held.Count);
                await Task.Delay(o.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (JobFailure.From(e).Kind == FailureKind.Fatal)
        {
            if (state.StopFatally(e.Message)) Log.Fatal(logger, e.Message);
        }
        catch (Exception e)
        {
            Log.LoopFailed(logger, e);
            state.StopFailed();
        }
        finally
        {
            state.BeginStopping();
            Log.Stopping(logger, leases.Held.Count);
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await leases.ReleaseAllAsync(budget.Token).ConfigureAwait(false);
        }
    }
}
