using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// The decoder choice: microseconds to decode one image to 8-bit RGB(A) pixels with each candidate, one thread,
/// the best of three passes over the same files (Fashion-MNIST as PNG and JPEG, at 28x28 and at 112x112).
/// </summary>
internal static class DecoderBenchmark
{
    public static void Run(TextTable table)
    {
        NetVips.Cache.Max = 0;
        var root = Path.Combine(Path.GetTempPath(), "tw-bench-decoders");
        foreach (var (format, scale) in new[] { ("png", 1), ("jpg", 1), ("png", 4), ("jpg", 4) })
        {
            var folder = Path.Combine(root, $"{format}{scale}");
            if (!Directory.Exists(folder)) Tests.Shared.FashionImageFolder.Write(folder, "train", 2000, format, scale: scale);
            var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllBytes).ToArray();
            var pixels = new byte[28 * scale * 28 * scale * 4];
            Action<byte[]>[] decoders =
            [
                b =>
                {
                    using var codec = SKCodec.Create(SKData.CreateCopy(b));
                    using var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
                    codec.GetPixels(bitmap.Info, bitmap.GetPixels());
                },
                b =>
                {
                    using var image = SixLabors.ImageSharp.Image.Load<Rgba32>(b);
                    image.CopyPixelDataTo(pixels.AsSpan(0, image.Width * image.Height * 4));
                },
                b =>
                {
                    using var image = NetVips.Image.NewFromBuffer(b, access: NetVips.Enums.Access.Sequential);
                    _ = image.WriteToMemory<byte>();
                },
            ];
            var best = Time(files, decoders);
            table.Add([$"{format.ToUpperInvariant()} {28 * scale}x{28 * scale} ({files.Length} files)", .. best.Select(v => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture))]);
        }
    }

    // Passes take turns (decoder A, B, C, A, B, C, ...) so that load from elsewhere hits every decoder alike.
    private static double[] Time(byte[][] files, Action<byte[]>[] decoders)
    {
        foreach (var decode in decoders)
        {
            foreach (var f in files.Take(100)) decode(f);
        }

        var best = Enumerable.Repeat(double.MaxValue, decoders.Length).ToArray();
        for (var pass = 0; pass < 5; pass++)
        {
            for (var d = 0; d < decoders.Length; d++)
            {
                var clock = Stopwatch.StartNew();
                foreach (var f in files) decoders[d](f);
                best[d] = Math.Min(best[d], clock.Elapsed.TotalMicroseconds / files.Length);
            }
        }

        return best;
    }
}
