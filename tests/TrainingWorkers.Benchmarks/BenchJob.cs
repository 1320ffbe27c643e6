using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// An example spec with a few settings changed (epochs, limits): the one JSON text both our
/// in-process timing and `tw run` read, so every side trains the same job.
/// </summary>
internal sealed class BenchJob
{
    private readonly JsonObject _json;

    private BenchJob(string name, JsonObject json)
    {
        Name = name;
        _json = json;
    }

    /// <summary>The example's file name without extension, e.g. fashion-mlp.</summary>
    public string Name { get; }

    public static BenchJob FromExample(string path) =>
        new(Path.GetFileNameWithoutExtension(path), JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: not a JSON object"));

    /// <summary>A copy with one setting changed, e.g. <c>With("training.epochs", 3)</c>; null removes it.</summary>
    public BenchJob With(string path, JsonNode? value)
    {
        var copy = _json.DeepClone().AsObject();
        var keys = path.Split('.');
        var parent = copy;
        foreach (var key in keys[..^1])
        {
            if (parent[key] is not JsonObject child) parent[key] = child = [];
            parent = child;
        }

        if (value is null) parent.Remove(keys[^1]);
        else parent[keys[^1]] = value;
        return new BenchJob(Name, copy);
    }

    public string Json => _json.ToJsonString();

    public JobSpec Spec => JobSpecParser.Parse(Json);

    /// <summary>Writes the spec to a file for `tw run`.</summary>
    public string WriteTo(string directory)
    {
        var path = Path.Combine(directory, $"{Name}-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Json);
        return path;
    }

    /// <summary>ModelBuilder's layer list for this job's data, lines joined with ';' for the PyTorch peer.</summary>
    public static string Layers(JobSpec spec, DataSplits data) =>
        ModelBuilder.Build(spec.Model, data.Train.Shape, data.Outputs, LossKind.CrossEntropy).Layers.TrimEnd('\n').Replace('\n', ';');
}
