using Microsoft.Extensions.Logging;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// One turn of the study loop: claim open studies while there is room, then for each held study renew its lease and
/// take one step. A step that fails is logged and taken again at the next turn (the state on record is the last saved
/// one); a lost lease drops the study; an AWS error no retry fixes escapes, and the coordinator stops.
/// </summary>
internal sealed class StudyTurns(StudyRunner runner, ILogger<StudyTurns> logger)
{
    public async Task RunAsync(StudyLeases leases, CancellationToken cancellationToken)
    {
        try
        {
            await leases.ClaimAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Category != AwsErrorCategory.Fatal)
        {
            Log.StoreUnreachable(logger, e.Message);
        }

        foreach (var held in leases.Held.ToList())
        {
            try
            {
                if (await leases.RenewAsync(held, cancellationToken).ConfigureAwait(false) is not { } lease) continue;
                if (await runner.StepAsync(lease, cancellationToken).ConfigureAwait(false)) leases.Drop(lease.StudyId);
            }
            catch (StudyLeaseLostException)
            {
                leases.Lost(held.StudyId);
            }
            catch (Exception e) when (e is not OperationCanceledException && JobFailure.From(e).Kind != FailureKind.Fatal)
            {
                Log.StepFailed(logger, held.StudyId, e.Message);
            }
        }
    }
}
