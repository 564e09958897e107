using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;

namespace Amct.Build.Tasks.Settings;

/// <summary>
/// Where in a project file an AmctModel item, one of its metadata or an Amct* property is written, so errors and
/// warnings about them carry MSBuild's line and column (IDEs and CI jump there). A task sees evaluated items without
/// their positions, so the project XML is read again with line information and the item found by its Include (or
/// Update) as written: a match of the evaluated spec, else the only AmctModel element of the file. An item made by a
/// wildcard or a property, in a file that declares several, has no position (0, 0: the file alone, as before).
/// </summary>
internal sealed class ProjectPositions
{
    private static readonly string[] SpecAttributes = ["Include", "Update"];

    private readonly Dictionary<string, XDocument?> _documents = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The line and column (1-based; 0, 0 when unknown) of what <paramref name="diagnostic"/> is about.</summary>
    public (int Line, int Column) Of(Diagnostic diagnostic)
    {
        if (Load(diagnostic.File) is not { Root: { } root })
        {
            return (0, 0);
        }
        if (diagnostic.Property is { } property)
        {
            return Position(PropertyElement(root, property));
        }
        if (diagnostic.Item is not { } item)
        {
            return (0, 0);
        }
        var elements = ItemElements(root, item);
        if (diagnostic.Metadata is { } metadata)
        {
            // The last element that sets it is the one MSBuild applies (an Update after the Include).
            var set = elements.Select(e => (XObject?)e.Attributes().LastOrDefault(a => Is(a.Name, metadata))
                    ?? e.Elements().LastOrDefault(m => Is(m.Name, metadata)))
                .LastOrDefault(o => o is not null);
            if (set is not null)
            {
                return Position(set);
            }
            if (PropertyElement(root, "Amct" + metadata) is { } fromProperty)
            {
                return Position(fromProperty);
            }
        }
        return Position(elements.FirstOrDefault());
    }

    private XDocument? Load(string file)
    {
        if (!_documents.TryGetValue(file, out var document))
        {
            try
            {
                document = XDocument.Load(file, LoadOptions.SetLineInfo);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException or ArgumentException)
            {
                document = null;
            }
            _documents[file] = document;
        }
        return document;
    }

    private static List<XElement> ItemElements(XElement root, string item)
    {
        var all = root.Elements().Where(e => e.Name.LocalName == "ItemGroup").Elements()
            .Where(e => e.Name.LocalName == "AmctModel").ToList();
        var wanted = Normalize(item);
        var matching = all.Where(e => SpecAttributes
                .Select(name => (string?)e.Attribute(name) ?? "")
                .SelectMany(value => value.Split(';'))
                .Any(spec => Normalize(spec) == wanted))
            .ToList();
        return matching.Count > 0 ? matching : all.Count(e => e.Attribute("Include") is not null) == 1 ? all : [];
    }

    private static XElement? PropertyElement(XElement root, string property) =>
        root.Elements().Where(e => e.Name.LocalName == "PropertyGroup").Elements().LastOrDefault(e => Is(e.Name, property));

    private static bool Is(XName name, string wanted) => string.Equals(name.LocalName, wanted, StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string spec)
    {
        var path = spec.Trim().Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path.Substring(2);
        }
        return path.ToUpperInvariant();
    }

    // An element's position is its name; MSBuild (and editors) point at its '<'. An attribute's is its name.
    private static (int Line, int Column) Position(XObject? node) =>
        node is IXmlLineInfo info && info.HasLineInfo()
            ? (info.LineNumber, node is XElement ? Math.Max(1, info.LinePosition - 1) : info.LinePosition)
            : (0, 0);
}
