using System.Text.Json.Nodes;

namespace TrainingWorkers.Core.Tests.Studies;

/// <summary>Small valid requests for the tests to break one field at a time.</summary>
internal static class Requests
{
    public const string Spec = """
        { "apiVersion": "trainingworkers/v1", "name": "ft", "model": { "type": "mlp", "hidden": [64] },
          "data": { "train": "s3://b/data/", "classes": [5, 6, 7, 8, 9], "validation_split": 0.2 },
          "training": { "epochs": 6, "batch_size": 32, "learning_rate": 0.002, "optimizer": "adam" } }
        """;

    public static string FineTune(string approach = "gradual", string extra = "") => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "finetune", "name": "pipe", "base_model": { "job": "pre-1" },
          "approach": "{{approach}}", "monitor": "val_accuracy", "spec": {{Spec}}{{extra}} }
        """;

    public static string Tune(string extra = "") => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "tune", "name": "sweep", "spec": {{Spec}},
          "objective": { "metric": "val_accuracy" },
          "search_space": { "training.learning_rate": { "log_uniform": [0.0001, 0.1] }, "model.hidden[0]": { "int": [16, 128], "step": 16 } },
          "trials": 8, "parallel": 2{{extra}} }
        """;

    /// <summary>The request with <paramref name="path"/> (dotted, objects only) set to <paramref name="json"/>, or removed when it is null.</summary>
    public static string With(string request, string path, string? json)
    {
        var root = JsonNode.Parse(request)!.AsObject();
        var parts = path.Split('.');
        var target = root;
        foreach (var part in parts[..^1]) target = target[part]!.AsObject();
        if (json is null) target.Remove(parts[^1]);
        else target[parts[^1]] = JsonNode.Parse(json);
        return root.ToJsonString();
    }
}
