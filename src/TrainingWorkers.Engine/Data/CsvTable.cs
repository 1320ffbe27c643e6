using System.Globalization;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// A numeric CSV file with a header row: every column but the label is a feature. Labels stay text
/// here, so classification can map names to class ids and regression can parse numbers.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(string[] featureNames, float[] features, string[] labels)
    {
        FeatureNames = featureNames;
        Features = features;
        Labels = labels;
    }

    public string[] FeatureNames { get; }
    public float[] Features { get; }
    public string[] Labels { get; }

    /// <summary>Reads the file; a bad cell is an error naming the file, line and column.</summary>
    public static CsvTable Read(string path, string labelColumn)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{path}: the file is empty");
        var names = header.Split(',').Select(n => n.Trim()).ToArray();
        var labelIndex = Array.IndexOf(names, labelColumn);
        if (labelIndex < 0) throw new InvalidDataException($"{path}: no column named '{labelColumn}' (data.label_column); the header has {string.Join(", ", names)}");
        if (names.Length < 2) throw new InvalidDataException($"{path}: needs at least one feature column besides '{labelColumn}'");

        var features = new List<float>();
        var labels = new List<string>();
        var lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',');
            if (cells.Length != names.Length) throw new InvalidDataException($"{path}:{lineNumber}: {cells.Length} cells, the header has {names.Length}");
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
                    throw new InvalidDataException($"{path}:{lineNumber}: column '{names[c]}' is not a number: '{cell}'");
                }
            }
        }

        if (labels.Count == 0) throw new InvalidDataException($"{path}: no data rows");
        return new CsvTable(names.Where((_, i) => i != labelIndex).ToArray(), features.ToArray(), labels.ToArray());
    }
}
