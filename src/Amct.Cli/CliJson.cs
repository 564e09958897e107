using System.Text.Json;

namespace Amct.Cli;

/// <summary>The one JSON style of everything amct prints: camelCase, indented.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };
}
