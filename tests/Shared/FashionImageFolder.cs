using System.IO.Compression;
using SkiaSharp;

namespace TrainingWorkers.Tests.Shared;

/// <summary>
/// Real images for image-folder tests: the first N examples of Debian's Fashion-MNIST written as PNG or JPEG
/// files, one folder per class (torchvision's ImageFolder layout).
/// </summary>
internal static class FashionImageFolder
{
    public static readonly string[] Classes = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    private const string Debian = "/usr/share/datasets/fashion-mnist";

    /// <param name="split">"train" or "t10k".</param>
    /// <param name="format">"png" or "jpg".</param>
    /// <param name="skip">Examples of the split to pass over first (to write disjoint folders from one split).</param>
    /// <param name="scale">Each side times this (a bigger image to decode).</param>
    public static string Write(string directory, string split, int count, string format, int skip = 0, int scale = 1)
    {
        var pixels = Read($"{split}-images-idx3-ubyte.gz", 16, skip * 784, count * 784);
        var labels = Read($"{split}-labels-idx1-ubyte.gz", 8, skip, count);
        foreach (var name in Classes) Directory.CreateDirectory(Path.Combine(directory, name));
        Parallel.For(0, count, i =>
        {
            using var image = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(pixels, i * 784, image.GetPixels(), 784);
            using var scaled = scale == 1 ? image : image.Resize(new SKImageInfo(28 * scale, 28 * scale, SKColorType.Gray8, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell));
            using var encoded = scaled.Encode(format == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(directory, Classes[labels[i]], $"{skip + i:D6}.{format}"), encoded.ToArray());
        });
        return directory;
    }

    private static byte[] Read(string file, int header, int skip, int count)
    {
        using var input = new GZipStream(File.OpenRead(Path.Combine(Debian, file)), CompressionMode.Decompress);
        var bytes = new byte[header + skip + count];
        input.ReadExactly(bytes);
        return bytes[(header + skip)..];
    }
}
