using TrainingWorkers.Tests.Shared;

namespace TrainingWorkers.Benchmarks;

/// <summary>The benchmarks' image folder: the first N Fashion-MNIST training images as 112x112 JPEGs, written once per N.</summary>
internal static class ImageFolderFixture
{
    public static string Create(int count)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"tw-bench-images-{count}");
        var done = Path.Combine(folder, ".complete");
        if (File.Exists(done)) return folder;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        FashionImageFolder.Write(folder, "train", count, "jpg", scale: 4);
        File.WriteAllText(done, "");
        return folder;
    }
}
