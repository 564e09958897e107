namespace Amct.Engine.Data.Images;

/// <summary>
/// One 8-bit preprocessing step (resize, crop, color order). <see cref="ImagePipeline"/> runs the steps in order;
/// each can also say, from the size alone, what size it makes, so impossible images are found from their headers
/// before any is decoded.
/// </summary>
internal interface IImageStep
{
    /// <summary>
    /// The size this step makes of an image of <paramref name="size"/>. Throws when it cannot (an image smaller than
    /// the crop); <paramref name="origin"/> is the file and its decoded size, for the error.
    /// </summary>
    ImageSize Plan(ImageSize size, ImageOrigin origin);

    PixelImage Apply(PixelImage image, ImageOrigin origin);

    /// <summary>What the step does, e.g. "center crop 224x224", for logs and tests.</summary>
    string Describe();
}

/// <summary>The image file a step works on and its decoded size, for errors.</summary>
internal sealed record ImageOrigin(string File, ImageSize Size);
