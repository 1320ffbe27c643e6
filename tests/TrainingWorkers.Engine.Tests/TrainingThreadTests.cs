using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests;

/// <summary>The one thread a training run makes its libtorch calls from (one OpenMP team).</summary>
public sealed class TrainingThreadTests
{
    [Fact]
    public async Task RunAsync_AwaitsThatCompleteElsewhere_ComeBackToTheRunsThread()
    {
        var threads = await TrainingThread.RunAsync("test", async thread =>
        {
            var seen = new List<int> { Environment.CurrentManagedThreadId };
            for (var i = 0; i < 5; i++)
            {
                // A timer and a pool thread complete these: the continuation must still run here.
                await Task.Delay(1).ConfigureAwait(true);
                seen.Add(Environment.CurrentManagedThreadId);
                await Task.Run(() => Thread.Sleep(1)).ConfigureAwait(true);
                seen.Add(Environment.CurrentManagedThreadId);
                thread.EnsureCurrent();
            }

            return seen;
        });

        Assert.Single(threads.Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads[0]);
    }

    [Fact]
    public async Task RunAsync_BodyThrowsAfterAnAwait_TheTaskFaultsWithThatException()
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingThread.RunAsync<int>("test", async _ =>
        {
            await Task.Yield();
            throw new InvalidDataException("from the body");
        }));

        Assert.Equal("from the body", e.Message);
    }

    [Fact]
    public async Task EnsureCurrent_OnAnotherThread_Throws()
    {
        var e = await TrainingThread.RunAsync("test", thread => Task.Run(() => Record.Exception(thread.EnsureCurrent)));

        Assert.IsType<InvalidOperationException>(e);
    }
}
