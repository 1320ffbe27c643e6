using System.Globalization;
using System.Xml.Linq;

namespace TrainingWorkers.Core.Reports;

public static partial class SvgCharts
{
    private const double MaxClassNameWidth = 160, CaptionFontSize = 11;
    private const string Caption = "shade: share of the true class (row)";

    /// <summary>
    /// A heat-map confusion matrix: rows are the true class, columns the predicted class. Each cell shows its count
    /// and is shaded by its share of the row, so rare classes read as clearly as common ones; hovering a cell shows the share.
    /// Class names label both axes (shortened past 160 px, column names slanted when wider than a cell).
    /// </summary>
    /// <param name="matrix">Counts indexed <c>[true, predicted]</c>, square, none negative.</param>
    /// <param name="classNames">One name per row.</param>
    /// <param name="cellSize">The side of a cell in pixels, at least 16.</param>
    /// <exception cref="ArgumentException">The matrix is empty, not square, holds a negative count, or the names do not match it.</exception>
    public static string ConfusionMatrix(string title, long[,] matrix, IReadOnlyList<string> classNames, int cellSize = 48)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 16);
        int n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
        {
            throw new ArgumentException($"Expected a non-empty square matrix, got {n} × {matrix.GetLength(1)}.", nameof(matrix));
        }

        if (classNames.Count != n || classNames.Any(name => name is null))
        {
            throw new ArgumentException($"Expected {n} class names, none null.", nameof(classNames));
        }

        double nameWidth = Math.Min(classNames.Max(name => Svg.TextWidth(name)), MaxClassNameWidth);
        bool slanted = nameWidth > cellSize - 6;
        double columnLabelHeight = slanted ? (nameWidth * 0.71) + 16 : 20;
        double gridLeft = 36 + nameWidth, gridTop = Top + 4, gridSize = n * (double)cellSize;
        double gridBottom = gridTop + gridSize, axisTitleY = gridBottom + columnLabelHeight + 18;
        double width = Math.Max(gridLeft + gridSize + 16, Svg.TextWidth(Caption, CaptionFontSize) + 24);
        width = Math.Max(width, Math.Min(Svg.TextWidth(title, 15) + 24, 960));
        double height = axisTitleY + 28;

        var cells = Svg.Element("g", ("class", "cells"));
        var labels = Svg.Element("g", ("class", "class-names"));
        for (int row = 0; row < n; row++)
        {
            long rowTotal = 0;
            for (int column = 0; column < n; column++)
            {
                if (matrix[row, column] < 0)
                {
                    throw new ArgumentException($"matrix[{row}, {column}] is negative.", nameof(matrix));
                }

                rowTotal += matrix[row, column];
            }

            double y = gridTop + (row * cellSize);
            labels.Add(Svg.Text(gridLeft - 6, y + (cellSize / 2.0) + 4, Svg.Fit(classNames[row], MaxClassNameWidth), anchor: "end"));
            for (int column = 0; column < n; column++)
            {
                double rate = rowTotal == 0 ? 0 : (double)matrix[row, column] / rowTotal;
                cells.Add(Cell(gridLeft + (column * cellSize), y, cellSize, matrix[row, column], rate, classNames[row], classNames[column]));
            }
        }

        for (int column = 0; column < n; column++)
        {
            double x = gridLeft + (column * cellSize) + (cellSize / 2.0);
            string name = Svg.Fit(classNames[column], slanted ? MaxClassNameWidth : cellSize - 6);
            labels.Add(slanted
                ? Svg.Text(x + 4, gridBottom + 12, name, anchor: "end", transform: $"rotate(-45 {Svg.Num(x + 4)} {Svg.Num(gridBottom + 12)})")
                : Svg.Text(x, gridBottom + 16, name));
        }

        double gridMiddleY = gridTop + (gridSize / 2);
        var svg = Svg.Document(width, height, title,
            Svg.Heading(width / 2, title, width - 16),
            cells,
            labels,
            Svg.Text(gridLeft + (gridSize / 2), axisTitleY, "predicted"),
            Svg.Text(14, gridMiddleY, "true", transform: $"rotate(-90 14 {Svg.Num(gridMiddleY)})"),
            Svg.Text(width / 2, height - 8, Caption, fontSize: CaptionFontSize));
        return svg.ToString();
    }

    private static XElement Cell(double x, double y, int size, long count, double rate, string trueName, string predictedName)
    {
        string countText = count.ToString(CultureInfo.InvariantCulture);
        string tooltip = string.Create(CultureInfo.InvariantCulture, $"true {trueName}, predicted {predictedName}: {countText} ({rate * 100:F1}% of the row)");
        var rect = Svg.Element("rect", ("class", "cell"), ("x", x), ("y", y), ("width", (double)size), ("height", (double)size),
            ("fill", Shade(rate)), ("stroke", "#ffffff"), ("stroke-width", 1));
        rect.Add(new XElement(Svg.Ns + "title", Svg.Clean(tooltip)));

        // Shrink the count's font rather than let a long count spill over its neighbours.
        double fontSize = Math.Clamp((size - 6) / (0.6 * countText.Length), 6, 12);
        var text = Svg.Text(x + (size / 2.0), y + (size / 2.0) + (fontSize * 0.35), countText, fontSize: fontSize);
        text.SetAttributeValue("class", "count");
        text.SetAttributeValue("fill", rate > 0.45 ? "#ffffff" : Svg.TextColour);
        return new XElement(Svg.Ns + "g", rect, text);
    }

    // From near-white to dark blue, as matplotlib's "Blues": readable counts at both ends with the text colour switched.
    private static string Shade(double rate)
    {
        static int Mix(int from, int to, double t) => (int)Math.Round(from + ((to - from) * t));
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(0xf7, 0x08, rate):x2}{Mix(0xfb, 0x30, rate):x2}{Mix(0xff, 0x6b, rate):x2}");
    }
}
