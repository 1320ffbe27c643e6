using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>
/// The files of an image folder (torchvision's ImageFolder layout): one subfolder per class, its PNG and JPEG
/// files found recursively; classes in ordinal order of their folder names, files in ordinal order of their paths.
/// </summary>
internal sealed record ImageFolderIndex(IReadOnlyList<string> Classes, string[] Files, long[] Labels)
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Indexes <paramref name="root"/>; with <paramref name="classes"/> given (validation, test), its folders must be among them.</summary>
    public static ImageFolderIndex Scan(string root, string field, DataLocationPolicy policy, IReadOnlyList<string>? classes, bool emptyClassIsError)
    {
        DataFile.RequireDirectory(root, field, policy);
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).Select(n => n!).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0) throw new JobInputException(field, "has no class folders: put each class's images in a subfolder named after the class", root);
        var names = classes ?? folders;
        if (classes is not null && folders.FirstOrDefault(f => !classes.Contains(f, StringComparer.Ordinal)) is { } unknown)
        {
            throw new JobInputException(field, $"has a class folder '{FailureText.Bound(unknown, FailureText.MaxName)}' that the training data does not have", root);
        }

        var files = new List<string>();
        var labels = new List<long>();
        foreach (var folder in folders)
        {
            var id = IndexOf(names, folder);
            var found = Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToList();
            if (found.Count == 0 && emptyClassIsError)
            {
                throw new JobInputException(field, "the class folder holds no .png, .jpg or .jpeg files (data.bad_images \"skip\" accepts it)", Path.Combine(root, folder));
            }

            files.AddRange(found);
            labels.AddRange(found.Select(_ => (long)id));
        }

        if (files.Count == 0) throw new JobInputException(field, "holds no .png, .jpg or .jpeg files", root);
        return new ImageFolderIndex(names, [.. files], [.. labels]);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal)) return i;
        }

        return -1;
    }
}
