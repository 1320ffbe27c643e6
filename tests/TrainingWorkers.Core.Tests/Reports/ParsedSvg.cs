using System.Globalization;
using System.Xml.Linq;

namespace TrainingWorkers.Core.Tests.Reports;

/// <summary>An SVG string parsed with System.Xml.Linq, which throws on anything that is not well-formed XML.</summary>
internal sealed class ParsedSvg
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    public ParsedSvg(string svg)
    {
        Source = svg;
        Root = XDocument.Parse(svg).Root ?? throw new InvalidOperationException("No root element.");
    }

    public string Source { get; }

    public XElement Root { get; }

    public IEnumerable<XElement> All(string name) => Root.Descendants(Ns + name);

    public IEnumerable<string> Texts => All("text").Select(t => t.Value);

    public IEnumerable<XElement> WithClass(string name, string cssClass) => All(name).Where(e => (string?)e.Attribute("class") == cssClass);

    public static double Number(XElement element, string attribute) =>
        double.Parse((string?)element.Attribute(attribute) ?? throw new InvalidOperationException($"No {attribute}."), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Checks what every chart must be: an svg root, no script, no link out, every coordinate a finite invariant number.</summary>
    public void AssertSelfContained()
    {
        Assert.Equal(Ns + "svg", Root.Name);
        Assert.DoesNotContain(Root.Descendants(), e => e.Name.LocalName is "script" or "image" or "foreignObject" or "style");
        Assert.DoesNotContain(Root.DescendantsAndSelf().Attributes(), a => a.Name.LocalName == "href");
        Assert.DoesNotContain("NaN", Source, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", Source, StringComparison.Ordinal);
        string[] numeric = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"];
        foreach (var attribute in Root.Descendants().Attributes().Where(a => numeric.Contains(a.Name.LocalName) && !a.Value.EndsWith('%')))
        {
            Assert.True(double.TryParse(attribute.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value),
                $"{attribute.Parent?.Name.LocalName}.{attribute.Name} = '{attribute.Value}'");
        }
    }
}
