using System.Text.Json;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// Rank 0 reads the checkpoint and sends it to every rank, so only rank 0 needs the checkpoint
/// store (on another node the local run directory is empty) and all ranks restore the same bytes.
/// </summary>
public static class CheckpointBroadcast
{
    /// <summary>Rank 0's checkpoint (or null) on every rank; verified against its manifest.</summary>
    public static Checkpoint? Share(ProcessGroup group, Checkpoint? rootCheckpoint)
    {
        var bytes = group.Broadcast(group.Rank == 0 ? Pack(rootCheckpoint) : []);
        if (bytes.Length == 0) return null;
        var checkpoint = Unpack(bytes);
        checkpoint.Verify();
        return checkpoint;
    }

    internal static byte[] Pack(Checkpoint? checkpoint)
    {
        if (checkpoint is null) return [];
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(JsonSerializer.Serialize(checkpoint.Manifest));
            writer.Write(checkpoint.Files.Count);
            foreach (var (name, data) in checkpoint.Files)
            {
                writer.Write(name);
                writer.Write(data.Length);
                writer.Write(data);
            }
        }

        return stream.ToArray();
    }

    internal static Checkpoint Unpack(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        var manifest = JsonSerializer.Deserialize<CheckpointManifest>(reader.ReadString())
            ?? throw new InvalidDataException("the broadcast checkpoint has no manifest");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            var name = reader.ReadString();
            files[name] = reader.ReadBytes(reader.ReadInt32());
        }

        return new Checkpoint(manifest, files);
    }
}
