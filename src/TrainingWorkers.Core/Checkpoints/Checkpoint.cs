using System.Security.Cryptography;

namespace TrainingWorkers.Core.Checkpoints;

/// <summary>A checkpoint in memory: its manifest and the bytes of each payload file.</summary>
public sealed class Checkpoint
{
    public Checkpoint(CheckpointManifest manifest, IReadOnlyDictionary<string, byte[]> files)
    {
        Manifest = manifest;
        Files = files;
    }

    public CheckpointManifest Manifest { get; }
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>Builds a checkpoint from payload files, computing their lengths and checksums.</summary>
    public static Checkpoint Create(string job, int epoch, long step, IReadOnlyDictionary<string, byte[]> files,
        IReadOnlyDictionary<string, double>? metrics = null, DateTimeOffset? createdAt = null)
    {
        var entries = files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new CheckpointFile(f.Key, f.Value.LongLength, Sha256Hex(f.Value)))
            .ToList();
        var manifest = new CheckpointManifest
        {
            Id = CheckpointManifest.IdFor(epoch, step),
            Job = job,
            Epoch = epoch,
            Step = step,
            CreatedAt = createdAt ?? DateTimeOffset.UtcNow,
            Files = entries,
            // JSON has no NaN or infinity: an undefined metric (an AUC with one class present) is left out of the manifest.
            Metrics = (metrics ?? new Dictionary<string, double>()).Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal),
        };
        return new Checkpoint(manifest, files);
    }

    /// <summary>Lowercase hex SHA-256, the form manifests record.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Throws <see cref="CorruptCheckpointException"/> unless the format version is known and every
    /// file the manifest names is present with the recorded length and checksum.
    /// </summary>
    public void Verify()
    {
        if (Manifest.FormatVersion > CheckpointManifest.CurrentFormatVersion || Manifest.FormatVersion < 1)
        {
            throw new CorruptCheckpointException(Manifest.Id,
                $"format version {Manifest.FormatVersion} is not supported (this build reads 1..{CheckpointManifest.CurrentFormatVersion})");
        }

        foreach (var file in Manifest.Files)
        {
            if (!Files.TryGetValue(file.Name, out var bytes))
            {
                throw new CorruptCheckpointException(Manifest.Id, $"payload file '{file.Name}' is missing");
            }

            if (bytes.LongLength != file.Length)
            {
                throw new CorruptCheckpointException(Manifest.Id,
                    $"payload file '{file.Name}' has {bytes.LongLength} bytes, the manifest says {file.Length}");
            }

            if (!string.Equals(Sha256Hex(bytes), file.Sha256, StringComparison.Ordinal))
            {
                throw new CorruptCheckpointException(Manifest.Id, $"payload file '{file.Name}' does not match its checksum");
            }
        }
    }
}
