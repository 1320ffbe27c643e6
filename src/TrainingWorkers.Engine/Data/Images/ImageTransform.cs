using SkiaSharp;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>
/// A decoded image to a normalized CHW float tensor: for training, torchvision's RandomResizedCrop and
/// RandomHorizontalFlip drawn from a per-example seed; for evaluation, a resize of the whole image.
/// </summary>
internal static class ImageTransform
{
    [ThreadStatic] private static SKBitmap? _scratch;

    public static void Apply(SKBitmap image, ImageOptions options, Span<float> destination, ulong? augmentSeed)
    {
        var crop = SKRectI.Create(0, 0, image.Width, image.Height);
        var flip = false;
        if (augmentSeed is { } seed && options.Augment is { } augment)
        {
            var random = new SplitMix(seed);
            if (augment.CropScale is { } scale) crop = RandomCrop(image.Width, image.Height, scale, augment.CropRatio, ref random);
            flip = augment.HorizontalFlip && random.NextDouble() < 0.5;
        }

        if (crop.Width == options.Width && crop.Height == options.Height)
        {
            Write(image, crop.Left, crop.Top, options, flip, destination);
            return;
        }

        var info = new SKImageInfo(options.Width, options.Height, image.ColorType, SKAlphaType.Unpremul);
        if (_scratch is null || _scratch.Info != info)
        {
            _scratch?.Dispose();
            _scratch = new SKBitmap(info);
        }

        using var source = new SKBitmap();
        if (!image.ExtractSubset(source, crop)) throw new InvalidOperationException($"crop {crop} outside a {image.Width} x {image.Height} image");
        // Mipmaps antialias strong down-scaling, as PIL's resize (torchvision 0.14 on PIL images) does.
        source.ScalePixels(_scratch, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        Write(_scratch, 0, 0, options, flip, destination);
    }

    /// <summary>torchvision's RandomResizedCrop.get_params: ten tries at a random area and aspect ratio, then a centred crop.</summary>
    private static SKRectI RandomCrop(int width, int height, IReadOnlyList<double> scale, IReadOnlyList<double> ratio, ref SplitMix random)
    {
        var area = (double)width * height;
        var (logMin, logMax) = (Math.Log(ratio[0]), Math.Log(ratio[1]));
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var target = area * (scale[0] + (scale[1] - scale[0]) * random.NextDouble());
            var aspect = Math.Exp(logMin + (logMax - logMin) * random.NextDouble());
            var w = (int)Math.Round(Math.Sqrt(target * aspect));
            var h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                var x = (int)(random.NextDouble() * (width - w + 1));
                var y = (int)(random.NextDouble() * (height - h + 1));
                return SKRectI.Create(x, y, w, h);
            }
        }

        var inRatio = (double)width / height;
        var (cw, ch) = inRatio < ratio[0] ? (width, (int)Math.Round(width / ratio[0]))
            : inRatio > ratio[1] ? ((int)Math.Round(height * ratio[1]), height)
            : (width, height);
        return SKRectI.Create((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    /// <summary>Pixels [left, left+W) x [top, top+H) of 8-bit gray or RGBA to (v / 255 - mean) / std per channel, CHW.</summary>
    private static unsafe void Write(SKBitmap image, int left, int top, ImageOptions options, bool flip, Span<float> destination)
    {
        var (w, h, channels) = (options.Width, options.Height, options.Channels);
        var bytesPerPixel = image.BytesPerPixel;
        var rowBytes = image.RowBytes;
        var pixels = (byte*)image.GetPixels();
        Span<float> scale = stackalloc float[channels];
        Span<float> shift = stackalloc float[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = 1f / (255f * options.Std[c]);
            shift[c] = options.Mean[c] / options.Std[c];
        }

        var plane = w * h;
        for (var y = 0; y < h; y++)
        {
            var row = pixels + (long)(top + y) * rowBytes;
            for (var x = 0; x < w; x++)
            {
                var p = row + (long)(left + (flip ? w - 1 - x : x)) * bytesPerPixel;
                var at = y * w + x;
                for (var c = 0; c < channels; c++) destination[c * plane + at] = p[c] * scale[c] - shift[c];
            }
        }
    }
}
