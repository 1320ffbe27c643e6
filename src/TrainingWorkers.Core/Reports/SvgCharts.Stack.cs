using System.Globalization;
using System.Xml.Linq;

namespace TrainingWorkers.Core.Reports;

public static partial class SvgCharts
{
    /// <summary>Puts SVG documents (as the other methods here return them) one below the other in one document.</summary>
    public static string Stack(string title, params string[] documents)
    {
        ArgumentOutOfRangeException.ThrowIfZero(documents.Length);
        var parts = documents.Select(XElement.Parse).ToList();
        double Size(XElement e, string name) => double.Parse((string?)e.Attribute(name) ?? "0", CultureInfo.InvariantCulture);
        var width = parts.Max(p => Size(p, "width"));
        var y = 0.0;
        var content = new List<object>();
        foreach (var part in parts)
        {
            part.SetAttributeValue("y", y.ToString(CultureInfo.InvariantCulture));
            y += Size(part, "height");
            content.Add(part);
        }

        return Svg.Document(width, y, title, content.ToArray()).ToString();
    }
}
