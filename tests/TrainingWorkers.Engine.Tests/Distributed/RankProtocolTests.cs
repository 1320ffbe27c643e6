using System.Collections;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Engine.Tests.Distributed;

public class RankProtocolTests
{
    [Fact]
    public void RankEvent_RoundTrips_AndStrayLinesAreNotEvents()
    {
        var e = new RankEvent { Event = RankEventKind.Epoch, Rank = 1, Epoch = 2, Metrics = new Dictionary<string, double> { ["val_loss"] = double.NaN, ["train_loss"] = 0.5 } };
        var back = RankEvent.TryParse(e.ToJsonLine())!;

        Assert.Contains("\"event\":\"epoch\"", e.ToJsonLine(), StringComparison.Ordinal);
        Assert.Equal(RankEventKind.Epoch, back.Event);
        Assert.Equal(1, back.Rank);
        Assert.Equal(0.5, back.Metrics!["train_loss"]);
        Assert.True(double.IsNaN(back.Metrics["val_loss"]));
        Assert.DoesNotContain("checkpoint", e.ToJsonLine(), StringComparison.Ordinal);
        Assert.Null(RankEvent.TryParse("W1122 socket.cpp:426] [c10d] bind failed"));
        Assert.Null(RankEvent.TryParse("{ not json"));
        // A newer rank's event is a log line here, not an error.
        Assert.Null(RankEvent.TryParse("""{"event":"resharded","rank":0}"""));
    }

    [Fact]
    public void RankEvent_FailureAndStopReason_AreSpelledOneWay()
    {
        var failed = new RankEvent { Event = RankEventKind.Failed, Failure = JobFailure.Of(FailureKind.OutOfMemory, "CUDA out of memory", field: "training.batch_size") };
        var done = new RankEvent { Event = RankEventKind.Done, StopReason = Training.StopReason.EarlyStopped };

        Assert.Contains("\"kind\":\"out_of_memory\"", failed.ToJsonLine(), StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"early_stopped\"", done.ToJsonLine(), StringComparison.Ordinal);
        Assert.Equal(failed.Failure, RankEvent.TryParse(failed.ToJsonLine())!.Failure);
        Assert.Equal(Training.StopReason.EarlyStopped, RankEvent.TryParse(done.ToJsonLine())!.StopReason);
        // A kind this build does not know reads as a crash (retried), never as an error of the protocol.
        Assert.Equal(FailureKind.Crashed, RankEvent.TryParse("""{"event":"failed","failure":{"kind":"gremlins","message":"?"}}""")!.Failure!.Kind);
    }

    [Fact]
    public void RankEnvironment_Torchrun_IsRead()
    {
        var env = RankEnvironment.Read(new Hashtable { ["RANK"] = "3", ["WORLD_SIZE"] = "4", ["LOCAL_RANK"] = "1", ["LOCAL_WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "10.0.0.5", ["MASTER_PORT"] = "29400" });

        Assert.Equal((3, 4, 1, 2, "10.0.0.5", 29400), (env.Rank, env.WorldSize, env.LocalRank, env.LocalWorldSize, env.MasterAddress, env.MasterPort));
        Assert.Equal("cuda:1", env.DeviceFor("cuda"));
        Assert.Equal("cpu", env.DeviceFor("cpu"));
    }

    [Fact]
    public void RankEnvironment_BadValues_AreAllNamed()
    {
        var e = Assert.Throws<JobInputException>(() => RankEnvironment.Read(new Hashtable { ["RANK"] = "4", ["WORLD_SIZE"] = "4", ["MASTER_PORT"] = "99999" }));

        Assert.Contains("MASTER_PORT must be an integer in 1..65535, got \"99999\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("RANK must be less than WORLD_SIZE (4), got 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchOptions_MoreRanksThanGpus_IsRejected()
    {
        var options = new LaunchOptions { Executable = "tw", Arguments = [], ProcessesPerNode = 8, CollectiveTimeout = TimeSpan.FromSeconds(60), ProgressTimeout = TimeSpan.FromSeconds(30) };

        var errors = options.Validate(onCuda: true, cudaDevices: 4);

        Assert.Contains("--nproc-per-node 8 asks for one GPU per rank, but this node has 4 GPU(s)", errors);
        Assert.Contains("the progress timeout (30 s) must exceed the collective timeout (60 s)", errors);
        Assert.Empty((options with { ProgressTimeout = TimeSpan.FromSeconds(90) }).Validate(onCuda: false, cudaDevices: 0));
    }

    [Fact]
    public void CheckpointBroadcast_PackedCheckpoint_UnpacksVerified()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["model.pt"] = [1, 2, 3], ["trainer.json"] = "{}"u8.ToArray() };
        var checkpoint = Checkpoint.Create("job", 2, 40, files, new Dictionary<string, double> { ["train_loss"] = 0.25 });

        var back = CheckpointBroadcast.Unpack(CheckpointBroadcast.Pack(checkpoint));
        back.Verify();

        Assert.Equal(checkpoint.Manifest.Id, back.Manifest.Id);
        Assert.Equal(files["model.pt"], back.Files["model.pt"]);
        Assert.Empty(CheckpointBroadcast.Pack(null));
    }
}
