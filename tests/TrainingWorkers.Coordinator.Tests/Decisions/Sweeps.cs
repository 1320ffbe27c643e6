using System.Text.Json.Nodes;

namespace TrainingWorkers.Coordinator.Tests.Decisions;

/// <summary>Sweep requests and a simulated learning curve for the decision tests.</summary>
internal static class Sweeps
{
    public static string Request(string extra = "", string space = """{ "training.learning_rate": { "log_uniform": [0.00001, 1.0] } }""", int trials = 8) => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "tune", "name": "sweep",
          "spec": { "apiVersion": "trainingworkers/v1", "name": "mlp", "model": { "type": "mlp", "hidden": [64] },
                    "data": { "train": "s3://fake/data/", "validation_split": 0.2 }, "training": { "epochs": 9, "learning_rate": 0.01 } },
          "objective": { "metric": "val_accuracy" }, "search_space": {{space}}, "trials": {{trials}}, "parallel": 2{{extra}} }
        """;

    /// <summary>Accuracy climbs with the epochs towards a ceiling that peaks at a learning rate of 10^-2.5.</summary>
    public static Dictionary<string, double> Curve(JsonObject spec, int epoch)
    {
        var lr = spec["training"]!["learning_rate"]!.GetValue<double>();
        var ceiling = 0.1 + (0.8 * Math.Exp(-Math.Pow(Math.Log10(lr) + 2.5, 2)));
        var accuracy = ceiling * (1 - Math.Exp(-epoch / 2.0));
        return new() { ["val_accuracy"] = accuracy, ["val_loss"] = 1 - accuracy };
    }
}
