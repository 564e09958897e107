namespace Amct.Engine.Data.Images;

/// <summary>
/// Resizes 8-bit images the way Pillow's <c>Image.resize</c> does, so images resized here match PIL/torchvision
/// preprocessing pixel for pixel: a separable convolution (width first, then height) whose filter is widened by the
/// shrink factor when shrinking (every source pixel contributes: no aliasing), weights in 22-bit fixed point, and the
/// result rounded to 8 bits after each pass. Nearest neighbour samples the source pixel under each output pixel's
/// center.
/// </summary>
internal static class Resampler
{
    /// <summary>Fraction bits of the weights: 32 bits minus 8 for the pixel and 2 of headroom for the sum.</summary>
    private const int PrecisionBits = 22;

    public static PixelImage Resize(PixelImage image, ImageSize size, Interpolation interpolation)
    {
        if (image.Size == size)
        {
            return image;
        }
        if (interpolation == Interpolation.Nearest)
        {
            return Nearest(image, size);
        }
        var filter = ResampleFilter.For(interpolation);
        var result = image;
        if (size.Width != image.Width)
        {
            result = Horizontal(result, size.Width, ResampleWeights.Compute(image.Width, size.Width, filter));
        }
        if (size.Height != image.Height)
        {
            result = Vertical(result, size.Height, ResampleWeights.Compute(image.Height, size.Height, filter));
        }
        return result;
    }

    private static PixelImage Horizontal(PixelImage image, int width, ResampleWeights weights)
    {
        var channels = image.Channels;
        var source = image.Pixels;
        var target = new byte[width * image.Height * channels];
        Span<int> sums = stackalloc int[channels];
        for (var y = 0; y < image.Height; y++)
        {
            var sourceRow = y * image.Width * channels;
            var targetRow = y * width * channels;
            for (var x = 0; x < width; x++)
            {
                var taps = weights.Taps(x);
                var first = sourceRow + (weights.Start[x] * channels);
                sums.Fill(1 << (PrecisionBits - 1)); // adding one half rounds the fixed-point result
                // All channels of a source pixel at once: the pixels are read in memory order.
                for (var k = 0; k < taps.Length; k++)
                {
                    var weight = taps[k];
                    var pixel = first + (k * channels);
                    for (var c = 0; c < channels; c++)
                    {
                        sums[c] += source[pixel + c] * weight;
                    }
                }
                for (var c = 0; c < channels; c++)
                {
                    target[targetRow + (x * channels) + c] = Clip(sums[c]);
                }
            }
        }
        return new PixelImage(width, image.Height, channels, target);
    }

    private static PixelImage Vertical(PixelImage image, int height, ResampleWeights weights)
    {
        var rowLength = image.Width * image.Channels;
        var source = image.Pixels;
        var target = new byte[rowLength * height];
        var sums = new int[rowLength];
        for (var y = 0; y < height; y++)
        {
            var first = weights.Start[y];
            var taps = weights.Taps(y);
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            // Whole source rows, one tap at a time: sequential reads instead of a jump per tap. Integer sums come
            // out the same in any order.
            for (var k = 0; k < taps.Length; k++)
            {
                var weight = taps[k];
                var row = source.AsSpan((first + k) * rowLength, rowLength);
                for (var i = 0; i < row.Length; i++)
                {
                    sums[i] += row[i] * weight;
                }
            }
            var targetRow = target.AsSpan(y * rowLength, rowLength);
            for (var i = 0; i < targetRow.Length; i++)
            {
                targetRow[i] = Clip(sums[i]);
            }
        }
        return new PixelImage(image.Width, height, image.Channels, target);
    }

    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static PixelImage Nearest(PixelImage image, ImageSize size)
    {
        var columns = NearestIndices(image.Width, size.Width);
        var rows = NearestIndices(image.Height, size.Height);
        var channels = image.Channels;
        var target = new byte[size.Width * size.Height * channels];
        for (var y = 0; y < size.Height; y++)
        {
            var sourceRow = rows[y] * image.Width;
            for (var x = 0; x < size.Width; x++)
            {
                image.Pixels.AsSpan((sourceRow + columns[x]) * channels, channels)
                    .CopyTo(target.AsSpan(((y * size.Width) + x) * channels));
            }
        }
        return new PixelImage(size.Width, size.Height, channels, target);
    }

    /// <summary>
    /// The source index under each output pixel's center. The position is accumulated step by step, as Pillow's
    /// affine scaling does, so indices agree with it even where a center falls exactly on a pixel edge.
    /// </summary>
    private static int[] NearestIndices(int sourceSize, int targetSize)
    {
        var step = (double)sourceSize / targetSize;
        var indices = new int[targetSize];
        var position = step * 0.5;
        for (var i = 0; i < targetSize; i++, position += step)
        {
            indices[i] = Math.Min((int)position, sourceSize - 1);
        }
        return indices;
    }

    /// <summary>The fixed-point weights of one pass: for each output pixel, the first source pixel and the taps.</summary>
    private sealed class ResampleWeights
    {
        private readonly int[] _weights;
        private readonly int[] _count;
        private readonly int _stride;

        private ResampleWeights(int[] start, int[] count, int[] weights, int stride)
        {
            Start = start;
            _count = count;
            _weights = weights;
            _stride = stride;
        }

        public int[] Start { get; }

        public ReadOnlySpan<int> Taps(int output) => _weights.AsSpan(output * _stride, _count[output]);

        public static ResampleWeights Compute(int sourceSize, int targetSize, ResampleFilter filter)
        {
            var scale = (double)sourceSize / targetSize;
            // Shrinking widens the filter by the shrink factor so it averages every source pixel it covers.
            var filterScale = Math.Max(scale, 1.0);
            var support = filter.Support * filterScale;
            var inverse = 1.0 / filterScale; // multiplied, not divided, so weights round as Pillow's do
            var stride = ((int)Math.Ceiling(support) * 2) + 1;
            var start = new int[targetSize];
            var count = new int[targetSize];
            var weights = new int[targetSize * stride];
            var raw = new double[stride];
            for (var i = 0; i < targetSize; i++)
            {
                var center = (i + 0.5) * scale;
                var first = Math.Max(0, (int)(center - support + 0.5));
                var end = Math.Min(sourceSize, (int)(center + support + 0.5));
                var taps = Math.Min(end - first, stride);
                var sum = 0.0;
                for (var k = 0; k < taps; k++)
                {
                    raw[k] = filter.Weight((k + first - center + 0.5) * inverse);
                    sum += raw[k];
                }
                for (var k = 0; k < taps; k++)
                {
                    var normalized = sum == 0 ? raw[k] : raw[k] / sum;
                    var scaled = normalized * (1 << PrecisionBits);
                    weights[(i * stride) + k] = (int)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
                }
                start[i] = first;
                count[i] = taps;
            }
            return new ResampleWeights(start, count, weights, stride);
        }
    }
}

/// <summary>A resampling filter: its weight at a distance (in source pixels) and how far it reaches.</summary>
internal sealed class ResampleFilter
{
    private static readonly ResampleFilter Triangle = new(1.0, x =>
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    });

    /// <summary>Keys' cubic convolution with a = -0.5 (Catmull-Rom), as PIL's BICUBIC.</summary>
    private static readonly ResampleFilter Cubic = new(2.0, x =>
    {
        const double A = -0.5;
        x = Math.Abs(x);
        return x < 1.0 ? ((((A + 2.0) * x) - (A + 3.0)) * x * x) + 1.0
            : x < 2.0 ? ((((x - 5.0) * x) + 8.0) * x - 4.0) * A
            : 0.0;
    });

    private readonly Func<double, double> _weight;

    private ResampleFilter(double support, Func<double, double> weight)
    {
        Support = support;
        _weight = weight;
    }

    /// <summary>Half the filter's width, in source pixels, before widening.</summary>
    public double Support { get; }

    public double Weight(double distance) => _weight(distance);

    public static ResampleFilter For(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Bilinear => Triangle,
        Interpolation.Bicubic => Cubic,
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "no convolution filter"),
    };
}
