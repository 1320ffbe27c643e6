using System.Formats.Tar;
using System.Globalization;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Data.Images;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>One sample of a shard: its image's encoded bytes and its class.</summary>
internal sealed record RawSample(string Name, byte[] Image, long Label);

/// <summary>
/// Reads a tar shard front to back, one sample at a time: the members sharing a key (the name up to its first
/// '.') form a sample, with an image (.png, .jpg, .jpeg) and a class index (.cls). Memory holds one sample.
/// </summary>
internal static class ShardSamples
{
    public static IEnumerable<RawSample> Read(string path, string field, int classes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var tar = new TarReader(file);
        string? key = null;
        byte[]? image = null;
        string? label = null;
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = tar.GetNextEntry();
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new JobInputException(field, $"is not a valid tar shard ({e.Message})", path, e);
            }

            if (entry is not null && entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            var name = entry?.Name;
            var dot = name?.IndexOf('.', StringComparison.Ordinal) ?? -1;
            var entryKey = name is null ? null : dot < 0 ? name : name[..dot];
            if (key is not null && entryKey != key)
            {
                yield return Sample(path, field, key, image, label, classes);
                (image, label) = (null, null);
            }

            if (entry is null) yield break;
            key = entryKey;
            if (entry.Length > ImageDecoder.MaxFileBytes) throw new JobInputException(field, $"member {Bound(name!)} is {entry.Length} bytes; at most {ImageDecoder.MaxFileBytes} are read", path);
            var extension = dot < 0 ? "" : name![(dot + 1)..].ToLowerInvariant();
            if (extension is "png" or "jpg" or "jpeg") image = ReadAll(entry);
            else if (extension == "cls") label = System.Text.Encoding.ASCII.GetString(ReadAll(entry)).Trim();
        }
    }

    private static RawSample Sample(string path, string field, string key, byte[]? image, string? label, int classes)
    {
        if (image is null) throw new JobInputException(field, $"sample '{Bound(key)}' has no .png or .jpg member", path);
        if (!int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id >= classes)
        {
            throw new JobInputException(field, $"sample '{Bound(key)}' has no .cls member with a class between 0 and {classes - 1}", path);
        }

        return new RawSample($"{path}:{key}", image, id);
    }

    private static byte[] ReadAll(TarEntry entry)
    {
        var bytes = new byte[entry.Length];
        entry.DataStream?.ReadExactly(bytes);
        return bytes;
    }

    private static string Bound(string text) => FailureText.Bound(text, FailureText.MaxName);
}
