using System.Text.Json;
using System.Text.Json.Serialization;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// The loop's own state, saved as trainer.json beside the model, optimizer and generator state:
/// with it a resumed run continues exactly where the checkpoint was taken, mid-epoch included.
/// </summary>
internal sealed class TrainerState
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The 0-based epoch in progress, or the next one to start.</summary>
    public int Epoch { get; set; }
    /// <summary>Steps already done in <see cref="Epoch"/>.</summary>
    public int StepInEpoch { get; set; }
    public long GlobalStep { get; set; }
    /// <summary>Ranks that trained: a step of <see cref="StepInEpoch"/> took batch_size x WorldSize examples.</summary>
    public int WorldSize { get; set; } = 1;
    /// <summary>The running training loss sum, correct count and examples of the epoch in progress.</summary>
    public double LossSum { get; set; }
    public long Correct { get; set; }
    public int Seen { get; set; }
    /// <summary>Seconds already spent on the epoch in progress before the checkpoint.</summary>
    public double EpochSeconds { get; set; }
    public double BestValue { get; set; } = double.NaN;
    public int BestEpoch { get; set; }
    public int EpochsWithoutImprovement { get; set; }
    public List<EpochRecord> History { get; set; } = [];
    /// <summary>A webdataset's fingerprint: the stream position below holds only for the same shards.</summary>
    public string? DataFingerprint { get; set; }
    /// <summary>A webdataset: samples of the epoch's stream this rank (0) consumed; the stream replays to it on resume.</summary>
    public long? StreamPosition { get; set; }
    /// <summary>The loss scaler's state of an fp16 run; null otherwise.</summary>
    public LossScalerState? LossScaler { get; set; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static TrainerState Deserialize(byte[] json) =>
        JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new JsonException("trainer.json is empty");

    /// <summary>An epoch's summary in JSON form.</summary>
    internal sealed record EpochRecord(int Epoch, Dictionary<string, double> Metrics, double LearningRate, double Seconds, double SamplesPerSecond, bool Improved)
    {
        public static EpochRecord From(EpochSummary s) =>
            new(s.Epoch, new Dictionary<string, double>(s.Metrics, StringComparer.Ordinal), s.LearningRate, s.Duration.TotalSeconds, s.SamplesPerSecond, s.Improved);

        public EpochSummary ToSummary() => new(Epoch, Metrics, LearningRate, TimeSpan.FromSeconds(Seconds), SamplesPerSecond, Improved);
    }
}
