namespace Amct.Engine.Data;

/// <summary>How recurrent state inputs the data does not feed are fed (the RecurrentState setting).</summary>
public enum RecurrentStateMode
{
    /// <summary>The samples are one stream in data order: zero at the first, then the float model's state after the one before.</summary>
    Carried,

    /// <summary>Zero on every sample, as at the start of a stream.</summary>
    Zero,
}
