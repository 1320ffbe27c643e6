using System.Formats.Tar;
using System.Globalization;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Data.Images;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>
/// <c>tw dataset pack</c>: writes an image folder, or a CSV of <c>path,label</c> rows, as tar shards in the WebDataset
/// layout (per sample <c>KEY.png</c> or <c>KEY.jpg</c> with the file's bytes as they are, and <c>KEY.cls</c> with the
/// class index), in a seeded shuffled order so every shard mixes the classes, plus <c>dataset.json</c>.
/// </summary>
public static class ShardPacker
{
    /// <returns>The manifest written to <paramref name="output"/>.</returns>
    /// <exception cref="JobInputException">A source that is not an image folder or CSV of images, or an image that does not decode.</exception>
    public static ShardManifest Pack(string source, string output, int samplesPerShard, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerShard, 1);
        var (classes, files, labels) = Directory.Exists(source) ? FromFolder(source) : FromCsv(source);
        // Shards are streamed and never re-read whole: a file that does not decode is refused here, once.
        Parallel.ForEach(files, file =>
        {
            try
            {
                using var image = ImageDecoder.Decode(ImageDecoder.ReadFile(file), 3, file);
            }
            catch (BadImageException e)
            {
                throw new JobInputException("source", e.Reason, e.File, e);
            }
        });
        Directory.CreateDirectory(output);
        var order = Shuffle.Permutation(files.Length, seed, ulong.MaxValue - 3);
        var shards = new List<ShardInfo>();
        for (var first = 0; first < order.Length; first += samplesPerShard)
        {
            var name = $"shard-{shards.Count:D6}.tar";
            var count = Math.Min(samplesPerShard, order.Length - first);
            using (var stream = File.Create(Path.Combine(output, name)))
            using (var tar = new TarWriter(stream, TarEntryFormat.Ustar))
            {
                for (var i = first; i < first + count; i++)
                {
                    var j = order[i];
                    var key = i.ToString("D9", CultureInfo.InvariantCulture);
                    var extension = Path.GetExtension(files[j]).ToLowerInvariant() == ".png" ? "png" : "jpg";
                    Write(tar, $"{key}.{extension}", File.ReadAllBytes(files[j]));
                    Write(tar, $"{key}.cls", System.Text.Encoding.ASCII.GetBytes(labels[j].ToString(CultureInfo.InvariantCulture)));
                }
            }

            shards.Add(new ShardInfo(name, count));
        }

        var manifest = new ShardManifest { Classes = classes, Shards = shards };
        File.WriteAllBytes(Path.Combine(output, ShardManifest.FileName), manifest.ToJson());
        return manifest;
    }

    private static void Write(TarWriter tar, string name, byte[] bytes)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes, writable: false), ModificationTime = DateTimeOffset.UnixEpoch };
        tar.WriteEntry(entry);
    }

    private static (IReadOnlyList<string> Classes, string[] Files, long[] Labels) FromFolder(string folder)
    {
        var index = ImageFolderIndex.Scan(folder, "source", DataLocationPolicy.Unrestricted, null, emptyClassIsError: true);
        return (index.Classes, index.Files, index.Labels);
    }

    // A header row, then rows of an image path (relative to the CSV) and its class name.
    private static (IReadOnlyList<string> Classes, string[] Files, long[] Labels) FromCsv(string csv)
    {
        DataFile.RequireFile(csv, "source", DataLocationPolicy.Unrestricted);
        var directory = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        var rows = new List<(string File, string Label, int Line)>();
        using (var reader = new BoundedLineReader(File.OpenRead(csv), csv, "source"))
        {
            reader.ReadLine();
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                var cells = line.Split(',');
                if (cells.Length != 2) throw new JobInputException("source", "each row must be: image path, label", $"{csv}:{reader.LineNumber}");
                var file = Path.GetFullPath(Path.Combine(directory, cells[0].Trim()));
                if (!File.Exists(file)) throw new JobInputException("source", $"no image file '{FailureText.Bound(cells[0].Trim(), FailureText.MaxName)}'", $"{csv}:{reader.LineNumber}");
                rows.Add((file, cells[1].Trim(), reader.LineNumber));
            }
        }

        if (rows.Count == 0) throw new JobInputException("source", "has no rows", csv);
        var numeric = rows.All(r => long.TryParse(r.Label, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        var classes = numeric
            ? rows.Select(r => r.Label).Distinct().OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var ids = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i, StringComparer.Ordinal);
        return (classes, rows.Select(r => r.File).ToArray(), rows.Select(r => ids[r.Label]).ToArray());
    }
}
