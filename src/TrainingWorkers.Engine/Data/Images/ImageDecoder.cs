using SkiaSharp;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>
/// PNG and JPEG through SkiaSharp (libpng, libjpeg-turbo): chosen by measurement over ImageSharp and NetVips
/// (docs/measurements/input-pipeline.md). A file that does not decode whole is a <see cref="BadImageException"/>.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>The largest encoded file read (a photo is a few MB).</summary>
    public const int MaxFileBytes = 64 << 20;
    /// <summary>The most pixels a decoded image may have (8192 x 8192).</summary>
    public const long MaxPixels = 8192L * 8192;

    /// <summary>The size and channel count from the header alone.</summary>
    public static (int Width, int Height, int Channels) Probe(byte[] bytes, string name)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new BadImageException(name, "is not a PNG or JPEG image");
        return (codec.Info.Width, codec.Info.Height, codec.Info.ColorType == SKColorType.Gray8 ? 1 : 3);
    }

    /// <summary>Decodes to 8-bit grayscale (1 channel) or RGBA (3 channels; alpha ignored).</summary>
    public static SKBitmap Decode(byte[] bytes, int channels, string name)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new BadImageException(name, "is not a PNG or JPEG image");
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
        {
            throw new BadImageException(name, $"is a {codec.EncodedFormat} image; PNG and JPEG are read");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < 1 || height < 1 || (long)width * height > MaxPixels) throw new BadImageException(name, $"is {width} x {height} pixels; at most {MaxPixels} pixels are read");
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        throw new BadImageException(name, result == SKCodecResult.IncompleteInput ? "is truncated" : $"does not decode ({result})");
    }

    /// <summary>Reads a file of at most <see cref="MaxFileBytes"/>.</summary>
    public static byte[] ReadFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = file.Length;
        if (length > MaxFileBytes) throw new BadImageException(path, $"is {length} bytes; images of at most {MaxFileBytes} bytes are read");
        var bytes = GC.AllocateUninitializedArray<byte>((int)length);
        file.ReadExactly(bytes);
        return bytes;
    }
}
