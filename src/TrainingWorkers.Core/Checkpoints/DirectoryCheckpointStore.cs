using System.Text.Json;

namespace TrainingWorkers.Core.Checkpoints;

/// <summary>
/// Checkpoints in a local directory, one sub-directory per checkpoint. Each file is written to a
/// temporary name and renamed into place, and the manifest is renamed last.
/// </summary>
public sealed class DirectoryCheckpointStore : ICheckpointStore
{
    public const string ManifestName = "manifest.json";
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };
    private readonly string _root;

    public DirectoryCheckpointStore(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    public async Task WriteAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_root, checkpoint.Manifest.Id);
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in checkpoint.Files)
        {
            await WriteAtomicallyAsync(Path.Combine(dir, CheckName(name)), bytes, cancellationToken).ConfigureAwait(false);
        }

        var manifest = JsonSerializer.SerializeToUtf8Bytes(checkpoint.Manifest, ManifestJson);
        await WriteAtomicallyAsync(Path.Combine(dir, ManifestName), manifest, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<CheckpointManifest>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<CheckpointManifest>();
        if (Directory.Exists(_root))
        {
            foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
            {
                var manifest = TryReadManifest(dir);
                if (manifest is not null && manifest.Files.All(f => FileLength(Path.Combine(dir, f.Name)) == f.Length))
                {
                    result.Add(manifest);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<CheckpointManifest>>(result);
    }

    public async Task<Checkpoint> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_root, CheckName(id));
        var manifest = TryReadManifest(dir) ?? throw new CorruptCheckpointException(id, "its manifest is missing or unreadable");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(dir, CheckName(file.Name));
            if (File.Exists(path))
            {
                files[file.Name] = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }

        var checkpoint = new Checkpoint(manifest, files);
        checkpoint.Verify();
        return checkpoint;
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_root, CheckName(id));
        var manifest = Path.Combine(dir, ManifestName);
        if (File.Exists(manifest)) File.Delete(manifest);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    // Synchronous on purpose: a local write is fast, and an await that really yields would move the training
    // loop to another thread, and with it libtorch's OpenMP work to a new team of threads.
    private static Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        return Task.CompletedTask;
    }

    private static CheckpointManifest? TryReadManifest(string dir)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(Path.Combine(dir, ManifestName)));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : -1;

    // Ids and file names come from our own manifests; refuse anything that could leave the directory.
    private static string CheckName(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\']) < 0 && name != "." && name != ".."
            ? name
            : throw new ArgumentException($"'{name}' is not a valid checkpoint or file name", nameof(name));
}
