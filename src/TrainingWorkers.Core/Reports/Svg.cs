using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace TrainingWorkers.Core.Reports;

/// <summary>Small builders for SVG elements; XML escaping is left to <see cref="System.Xml.Linq"/>.</summary>
internal static class Svg
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    /// <summary>Colour-blind-friendly categorical colours (Okabe and Ito), dark enough on white.</summary>
    public static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255"];

    public const string TextColour = "#222222";

    // No font is embedded, so widths are estimated: 0.6 em per character over-estimates typical sans-serif text a little.
    private const double CharWidthEm = 0.6;

    public static XElement Document(double width, double height, string title, params object[] content) =>
        new(Ns + "svg",
            new XAttribute("width", Num(width)),
            new XAttribute("height", Num(height)),
            new XAttribute("viewBox", $"0 0 {Num(width)} {Num(height)}"),
            new XAttribute("font-family", "sans-serif"),
            new XAttribute("font-size", "12"),
            new XElement(Ns + "title", Clean(title)),
            Element("rect", ("width", "100%"), ("height", "100%"), ("fill", "#ffffff")),
            content);

    /// <summary>An element with attributes given as name-value pairs; numbers are written in invariant culture.</summary>
    public static XElement Element(string name, params (string Name, object Value)[] attributes)
    {
        var element = new XElement(Ns + name);
        foreach (var (attributeName, value) in attributes)
        {
            element.SetAttributeValue(attributeName, value is double number ? Num(number) : Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        return element;
    }

    /// <summary>A text element; <paramref name="anchor"/> is start, middle or end.</summary>
    public static XElement Text(double x, double y, string text, string anchor = "middle", double fontSize = 12, string? transform = null)
    {
        var element = Element("text", ("x", x), ("y", y), ("text-anchor", anchor), ("fill", TextColour));
        if (fontSize != 12) element.SetAttributeValue("font-size", Num(fontSize));
        if (transform is not null) element.SetAttributeValue("transform", transform);
        element.Value = Clean(text);
        return element;
    }

    /// <summary>A chart's title: bold, centred on <paramref name="x"/>, shortened to <paramref name="maxWidth"/>.</summary>
    public static XElement Heading(double x, string text, double maxWidth)
    {
        var heading = Text(x, 24, Fit(text, maxWidth, 15), fontSize: 15);
        heading.SetAttributeValue("font-weight", "bold");
        return heading;
    }

    /// <summary>A number with at most two decimals, invariant culture: enough for pixel positions.</summary>
    public static string Num(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static double TextWidth(string text, double fontSize = 12) => text.Length * CharWidthEm * fontSize;

    /// <summary>Shortens text with an ellipsis so that its estimated width fits <paramref name="maxWidth"/>.</summary>
    public static string Fit(string text, double maxWidth, double fontSize = 12)
    {
        // Half a pixel of slack, so a budget computed from the same estimate is not missed by a rounding error.
        if (TextWidth(text, fontSize) <= maxWidth + 0.5) return text;
        int keep = Math.Max(1, (int)(maxWidth / (CharWidthEm * fontSize)) - 1);
        if (keep >= text.Length) return text;
        if (char.IsHighSurrogate(text[keep - 1])) keep--;
        return string.Concat(text.AsSpan(0, keep), "…");
    }

    /// <summary>Replaces characters XML cannot carry at all (control characters, lone surrogates) with U+FFFD.</summary>
    public static string Clean(string text)
    {
        StringBuilder? cleaned = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            bool valid = pair || XmlConvert.IsXmlChar(c);
            if (!valid) cleaned ??= new StringBuilder(text, 0, i, text.Length);
            cleaned?.Append(valid ? c : '\uFFFD');
            if (pair)
            {
                i++;
                cleaned?.Append(text[i]);
            }
        }

        return cleaned?.ToString() ?? text;
    }
}
