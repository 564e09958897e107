using System.Globalization;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// Reads <see cref="SampleSourceOptions"/> from text settings, the one place their syntax is defined for the command
/// line and project settings alike. Errors are AMCT3029/3030/3035 whose target is the setting as the user named it.
/// </summary>
public static class SampleSourceOptionsText
{
    /// <summary>
    /// The options the given settings describe; a null or empty setting is not set. <paramref name="settingName"/>
    /// turns a setting's key ("resize", "mean", "input-shape", ...) into how the user wrote it (e.g. "--resize").
    /// </summary>
    /// <param name="preset">A preset name (<see cref="ImagePresets.Names"/>).</param>
    /// <param name="resize">"256" (shorter side), "320x240" (exactly width x height) or "none".</param>
    /// <param name="interpolation">nearest, bilinear or bicubic.</param>
    /// <param name="crop">"224" (square) or "224x200" (width x height).</param>
    /// <param name="color">rgb, bgr or gray.</param>
    /// <param name="scale">A number or a fraction, e.g. "1/255".</param>
    /// <param name="mean">Comma-separated numbers in the tensor's channel order, or one number.</param>
    /// <param name="std">Like <paramref name="mean"/>.</param>
    /// <param name="layout">nchw or nhwc.</param>
    /// <param name="inputShapes">Raw .bin shapes, "name:1,3,224,224;other:1,10".</param>
    /// <param name="dataTypes">Raw .bin element types, "name:float32;other:int64", or one type for every shaped input.</param>
    /// <param name="settingName">How the user names a setting key, for errors; default: the key itself.</param>
    public static SampleSourceOptions Parse(string? preset = null, string? resize = null, string? interpolation = null,
        string? crop = null, string? color = null, string? scale = null, string? mean = null, string? std = null,
        string? layout = null, string? inputShapes = null, string? dataTypes = null, Func<string, string>? settingName = null)
    {
        var name = settingName ?? (key => key);
        if (Given(preset))
        {
            ImagePresets.Get(preset!, name("preset"));
        }
        var shapes = ParseShapes(inputShapes, name("input-shape"));
        return new SampleSourceOptions
        {
            Preset = Given(preset) ? preset!.Trim() : null,
            Image = new ImagePreprocessing
            {
                Resize = Given(resize) ? ParseResize(resize!, name("resize")) : null,
                Interpolation = Given(interpolation) ? ParseInterpolation(interpolation!, name("interpolation")) : null,
                Crop = Given(crop) ? ParseSize(crop!, name("crop")) : null,
                Color = Given(color) ? ParseColor(color!, name("color")) : null,
                Scale = Given(scale) ? ParseScale(scale!, name("scale")) : null,
                Mean = Given(mean) ? ParseValues(mean!, name("mean")) : null,
                Std = Given(std) ? ParseValues(std!, name("std")) : null,
                Layout = Given(layout) ? ParseLayout(layout!, name("layout")) : null,
            },
            InputShapes = shapes,
            InputTypes = ParseTypes(dataTypes, shapes, name("data-type"), name("input-shape")),
            ImageSettingsGiven = GivenNames(name, ("preset", preset), ("resize", resize), ("interpolation", interpolation),
                ("crop", crop), ("color", color), ("scale", scale), ("mean", mean), ("std", std), ("layout", layout)),
            RawSettingsGiven = GivenNames(name, ("input-shape", inputShapes), ("data-type", dataTypes)),
        };
    }

    private static List<string> GivenNames(Func<string, string> name, params (string Key, string? Text)[] settings) =>
        settings.Where(s => Given(s.Text)).Select(s => name(s.Key)).ToList();

    /// <summary>"256": shorter side; "320x240": exactly width x height; "none": keep the size.</summary>
    public static ImageResize ParseResize(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return ImageResize.None;
        }
        const string Expected = "a shorter side in pixels (256), an exact size width x height (320x240), or none";
        if (value.Contains('x', StringComparison.OrdinalIgnoreCase))
        {
            return ImageResize.Exact(ParseSize(value, setting, Expected));
        }
        return ImageResize.ShorterSide(ParsePixels(value, setting, text, Expected));
    }

    /// <summary>"224": a square; "224x200": width x height.</summary>
    public static ImageSize ParseSize(string text, string setting) =>
        ParseSize(text, setting, "a size in pixels (224) or width x height (224x200)");

    private static ImageSize ParseSize(string text, string setting, string expected)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('x', 'X');
        return parts.Length switch
        {
            1 => new ImageSize(ParsePixels(parts[0], setting, text, expected), ParsePixels(parts[0], setting, text, expected)),
            2 => new ImageSize(ParsePixels(parts[0], setting, text, expected), ParsePixels(parts[1], setting, text, expected)),
            _ => throw Invalid(setting, text, expected),
        };
    }

    public static ColorOrder ParseColor(string text, string setting) =>
        Keyword(text, setting, new Dictionary<string, ColorOrder>(StringComparer.OrdinalIgnoreCase)
        {
            ["rgb"] = ColorOrder.Rgb,
            ["bgr"] = ColorOrder.Bgr,
            ["gray"] = ColorOrder.Grayscale,
            ["grayscale"] = ColorOrder.Grayscale,
        });

    public static TensorLayout ParseLayout(string text, string setting) =>
        Keyword(text, setting, new Dictionary<string, TensorLayout>(StringComparer.OrdinalIgnoreCase)
        {
            ["nchw"] = TensorLayout.Nchw,
            ["nhwc"] = TensorLayout.Nhwc,
        });

    public static Interpolation ParseInterpolation(string text, string setting) =>
        Keyword(text, setting, new Dictionary<string, Interpolation>(StringComparer.OrdinalIgnoreCase)
        {
            ["nearest"] = Interpolation.Nearest,
            ["bilinear"] = Interpolation.Bilinear,
            ["bicubic"] = Interpolation.Bicubic,
        });

    /// <summary>A number ("0.0078125") or a fraction ("1/255", "1/127.5").</summary>
    public static double ParseScale(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Expected = "a number or a fraction such as 1/255";
        var parts = text.Split('/');
        var value = parts.Length switch
        {
            1 => Number(parts[0], setting, text, Expected),
            2 => Number(parts[0], setting, text, Expected) / Number(parts[1], setting, text, Expected),
            _ => throw Invalid(setting, text, Expected),
        };
        return double.IsFinite(value) && value != 0 ? value : throw Invalid(setting, text, "a finite number other than 0");
    }

    /// <summary>"104,117,123": comma-separated numbers.</summary>
    public static IReadOnlyList<double> ParseValues(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Expected = "comma-separated numbers, one per channel in the tensor's channel order (104,117,123)";
        return text.Trim().Trim('[', ']').Split(',').Select(part => Number(part, setting, text, Expected)).ToList();
    }

    /// <summary>"a:1,3,224,224;b:1,10": dims per input name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<long>> ParseShapes(string? text, string setting)
    {
        var shapes = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        const string Expected = "input:dims for each input, separated by ';' (data_0:1,3,224,224;mask:1,10)";
        foreach (var (name, value) in Entries(text, setting, Expected))
        {
            var dims = value.Split(',').Select(d =>
                long.TryParse(d.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var dim) && dim > 0
                    ? dim
                    : throw new AmctException(ErrorCodes.RawDeclarationInvalid, setting,
                        $"'{text}' is not valid: '{name}' has the dimension '{d.Trim()}', but each dimension must be a " +
                        $"whole number of at least 1. Give {Expected}.")).ToList();
            if (!shapes.TryAdd(name, dims))
            {
                throw Duplicate(setting, text!, name);
            }
        }
        return shapes;
    }

    /// <summary>
    /// "a:float32;b:int64": element types per input name; a single type without a name applies to every input in
    /// <paramref name="shapes"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, int> ParseTypes(string? text, IReadOnlyDictionary<string, IReadOnlyList<long>> shapes,
        string setting, string shapeSetting)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Given(text))
        {
            return types;
        }
        if (!text!.Contains(':', StringComparison.Ordinal))
        {
            var type = ParseType(text, setting);
            if (shapes.Count == 0)
            {
                throw new AmctException(ErrorCodes.RawDeclarationInvalid, setting,
                    $"'{text}' names no input, and {shapeSetting} declares none to apply it to. Give input:type for " +
                    "each input (data_0:float32), or declare the shapes too.");
            }
            return shapes.Keys.ToDictionary(name => name, _ => type, StringComparer.Ordinal);
        }
        foreach (var (name, value) in Entries(text, setting, "input:type for each input, separated by ';' (data_0:float32)"))
        {
            if (!types.TryAdd(name, ParseType(value, setting)))
            {
                throw Duplicate(setting, text, name);
            }
        }
        return types;
    }

    /// <summary>A numpy-style element type name (float32, float16, int64, uint8, ...) as its ONNX data type.</summary>
    public static int ParseType(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        return TypeNames.TryGetValue(value, out var type)
            ? type
            : throw new AmctException(ErrorCodes.RawDeclarationInvalid, setting,
                $"'{value}' is not an element type. Valid types: {string.Join(", ", TypeNames.Keys.Order(StringComparer.Ordinal))}.");
    }

    private static readonly Dictionary<string, int> TypeNames = BuildTypeNames();

    private static Dictionary<string, int> BuildTypeNames()
    {
        int[] types =
        [
            DataTypes.Float, DataTypes.Double, DataTypes.Float16, DataTypes.BFloat16, DataTypes.Int8, DataTypes.UInt8,
            DataTypes.Int16, DataTypes.UInt16, DataTypes.Int32, DataTypes.UInt32, DataTypes.Int64, DataTypes.UInt64,
            DataTypes.Bool,
        ];
        var names = types.ToDictionary(DataTypes.Name, type => type, StringComparer.OrdinalIgnoreCase);
        names["float"] = DataTypes.Float;
        names["double"] = DataTypes.Double;
        names["half"] = DataTypes.Float16;
        return names;
    }

    private static IEnumerable<(string Name, string Value)> Entries(string? text, string setting, string expected)
    {
        if (!Given(text))
        {
            yield break;
        }
        foreach (var entry in text!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // The value never holds ':', the name might (some exporters name inputs "input:0"): split at the last.
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                throw new AmctException(ErrorCodes.RawDeclarationInvalid, setting,
                    $"'{text}' is not valid: '{entry}' is not name:value. Give {expected}.");
            }
            yield return (entry[..colon].Trim(), entry[(colon + 1)..].Trim());
        }
    }

    private static AmctException Duplicate(string setting, string text, string name) =>
        new(ErrorCodes.RawDeclarationInvalid, setting,
            $"'{text}' declares input '{name}' twice. Declare each input once.");

    private static T Keyword<T>(string text, string setting, Dictionary<string, T> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        return values.TryGetValue(text.Trim(), out var value)
            ? value
            : throw Invalid(setting, text, "one of " + string.Join(", ", values.Keys));
    }

    private static int ParsePixels(string part, string setting, string text, string expected) =>
        int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pixels) && pixels is > 0 and <= MaxPixels
            ? pixels
            : throw Invalid(setting, text, $"{expected}, each between 1 and {MaxPixels}");

    /// <summary>Larger sizes are a typo: no model input is that large, and the buffers would not fit in memory.</summary>
    internal const int MaxPixels = 16384;

    private static double Number(string part, string setting, string text, string expected) =>
        double.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Invalid(setting, text, expected);

    private static AmctException Invalid(string setting, string text, string expected) =>
        new(ErrorCodes.PreprocessSettingInvalid, setting, $"'{text}' is not valid here. Give {expected}.");

    private static bool Given(string? text) => !string.IsNullOrWhiteSpace(text);
}
