using Amct.Engine.Data;
using Amct.Engine.Data.Images;

namespace Amct.Cli;

/// <summary>
/// The options that say how data becomes tensors, shared by <c>amct quantize</c> and <c>amct evaluate</c>: image
/// preprocessing (a preset and explicit overrides) and the declared shape and type of raw .bin data. Their syntax is
/// the engine's (<see cref="SampleSourceOptionsText"/>), so the command line and project settings read them alike.
/// </summary>
internal static class DataOptionArguments
{
    public static readonly string[] ValueOptions =
    [
        "preprocess", "resize", "interpolation", "crop", "color", "scale", "mean", "std", "layout", "input-shape", "data-type",
    ];

    public static string Usage =>
        "[--preprocess <preset>] [--resize N|WxH|none] [--interpolation nearest|bilinear|bicubic] [--crop N|WxH] " +
        "[--color rgb|bgr|gray] [--scale 1/255] [--mean a,b,c] [--std a,b,c] [--layout nchw|nhwc] " +
        "[--input-shape \"name:1,3,224,224;...\"] [--data-type \"name:float32;...\"]";

    public static string Help =>
        $"""
          Data may be .npy, .npz, ONNX test_data_set folders, raw .bin files, or JPEG/PNG/BMP images (a file, a folder
          with sub-folders, or a pattern such as "photos/*.jpg"); feed several inputs with "name=path;name=path".
          Image preprocessing: --preprocess <preset> ({string.Join(", ", ImagePresets.Names)}), each setting below
          overriding the preset's; without any, images are resized to the model's input size in RGB 0..255.
            --resize N|WxH|none   shorter side to N, or exactly W x H     --crop N|WxH   center crop (default: model size)
            --interpolation nearest|bilinear|bicubic (Pillow's filters)   --color rgb|bgr|gray
            --scale 1/255   --mean a,b,c   --std a,b,c (tensor channel order)   --layout nchw|nhwc
          Raw .bin data (one array per file, AMCT style): --input-shape "name:1,3,224,224" --data-type "name:float32"
        """;

    /// <summary>The options given, or null when none was (the engine's defaults apply).</summary>
    public static SampleSourceOptions? Parse(Arguments a)
    {
        if (ValueOptions.All(option => a.Option(option) is null))
        {
            return null;
        }
        return SampleSourceOptionsText.Parse(
            preset: a.Option("preprocess"),
            resize: a.Option("resize"),
            interpolation: a.Option("interpolation"),
            crop: a.Option("crop"),
            color: a.Option("color"),
            scale: a.Option("scale"),
            mean: a.Option("mean"),
            std: a.Option("std"),
            layout: a.Option("layout"),
            inputShapes: a.Option("input-shape"),
            dataTypes: a.Option("data-type"),
            settingName: key => "--" + (key == "preset" ? "preprocess" : key));
    }
}
