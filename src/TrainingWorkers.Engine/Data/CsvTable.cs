using System.Globalization;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// A numeric CSV file with a header row: every column but the label is a feature. Labels stay text
/// here, so classification can map names to class ids and regression can parse numbers.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string path, string[] featureNames, float[] features, string[] labels, int[] lines)
    {
        Path = path;
        FeatureNames = featureNames;
        Features = features;
        Labels = labels;
        Lines = lines;
    }

    public string Path { get; }
    public string[] FeatureNames { get; }
    public float[] Features { get; }
    public string[] Labels { get; }
    /// <summary>The line of the file each row came from, for errors about a label.</summary>
    public int[] Lines { get; }

    /// <summary>Reads the file that <paramref name="field"/> names; every problem is a <see cref="JobInputException"/> naming the file and line.</summary>
    public static CsvTable Read(string path, string field, string labelColumn, DataLocationPolicy policy) =>
        DataFile.Read(path, field, () =>
        {
            using var reader = new BoundedLineReader(DataFile.OpenRead(path, field, policy), path, field);
            var names = ReadHeader(reader, path, field, labelColumn, out var labelIndex);
            var features = new List<float>();
            var labels = new List<string>();
            var lines = new List<int>();
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                var at = $"{path}:{reader.LineNumber}";
                var cells = line.Split(',');
                if (cells.Length != names.Length) throw new JobInputException(field, $"{cells.Length} cells, the header has {names.Length}", at);
                if (features.Count + cells.Length > Array.MaxLength)
                {
                    throw new JobInputException(field, "holds more values than one in-memory data set can; use train_limit or a smaller file", at);
                }

                for (var c = 0; c < cells.Length; c++)
                {
                    var cell = cells[c].Trim();
                    if (c == labelIndex)
                    {
                        labels.Add(cell);
                    }
                    else if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value))
                    {
                        features.Add(value);
                    }
                    else
                    {
                        throw new JobInputException(field, $"column '{Bound(names[c])}' is not a number: '{Bound(cell)}'", at);
                    }
                }

                lines.Add(reader.LineNumber);
            }

            if (labels.Count == 0) throw new JobInputException(field, "has no data rows", path);
            return new CsvTable(path, names.Where((_, i) => i != labelIndex).ToArray(), features.ToArray(), labels.ToArray(), lines.ToArray());
        });

    private static string[] ReadHeader(BoundedLineReader reader, string path, string field, string labelColumn, out int labelIndex)
    {
        var header = reader.ReadLine() ?? throw new JobInputException(field, "the file is empty", path);
        var at = $"{path}:1";
        var names = header.Split(',').Select(n => n.Trim()).ToArray();
        var empty = Array.FindIndex(names, n => n.Length == 0);
        if (empty >= 0) throw new JobInputException(field, $"column {empty + 1} of the header has no name", at);
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new JobInputException(field, $"the header names two columns '{Bound(duplicate.Key)}'", at);
        labelIndex = Array.IndexOf(names, labelColumn);
        if (labelIndex < 0)
        {
            throw new JobInputException("data.label_column", $"no column is named '{Bound(labelColumn)}'; the header has {Bound(string.Join(", ", names))}", at);
        }

        if (names.Length < 2) throw new JobInputException(field, $"needs at least one feature column besides '{Bound(labelColumn)}'", at);
        return names;
    }

    private static string Bound(string text) => FailureText.Bound(text, FailureText.MaxName);
}
