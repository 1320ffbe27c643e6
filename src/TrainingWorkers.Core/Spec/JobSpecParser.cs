using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Spec;

/// <summary>
/// Turns a job spec's JSON into a <see cref="JobSpec"/>, or an <see cref="InvalidSpecException"/>
/// that lists every problem at once, each with its JSON path and the rule it broke.
/// </summary>
public static partial class JobSpecParser
{
    /// <summary>Parses and validates; throws <see cref="InvalidSpecException"/> with every error.</summary>
    public static JobSpec Parse(string json)
    {
        JsonDocument document;
        try
        {
            // Strict JSON, as the schema and the queue's other clients read it: no comments, no trailing commas.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidSpecException([new SpecError("$", $"is not valid JSON: {FailureText.Bound(e.Message, FailureText.MaxName)}")]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSpecException([new SpecError("$", "must be a JSON object")]);
            }

            // Before any field is read: a text that cannot be decoded would throw in the middle of reading it.
            var errors = new List<SpecError>();
            if (!SpecText.Check(document.RootElement, errors)) throw new InvalidSpecException(errors);

            var spec = Read(new SpecReader(document.RootElement, "", errors));
            if (errors.Count > 0) throw new InvalidSpecException(errors);
            return spec!;
        }
    }

    private static JobSpec? Read(SpecReader root)
    {
        var apiVersion = root.String("apiVersion", null);
        if (apiVersion is null) root.Error("apiVersion", $"is required (\"{JobSpec.ApiVersionV1}\")");
        else if (apiVersion != JobSpec.ApiVersionV1) root.Error("apiVersion", $"must be \"{JobSpec.ApiVersionV1}\", got \"{apiVersion}\"");

        var name = root.String("name", null);
        if (name is null) root.Error("name", "is required");
        else if (!NamePattern().IsMatch(name)) root.Error("name", $"must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, got \"{name}\"");

        var dataReader = root.Object("data");
        if (dataReader is null && !root.Has("data")) root.Error("data", "is required");
        var data = dataReader is null ? null : DataSpecReader.Read(dataReader);
        var model = ModelSpecReader.Read(root.Object("model"), data);
        var training = TrainingSpecReader.Read(root.Object("training"));
        var earlyStopping = TrainingSpecReader.ReadEarlyStopping(root, data);
        var checkpointing = TrainingSpecReader.ReadCheckpointing(root.Object("checkpointing"));
        var fineTune = FineTuneSpecReader.Read(root.Object("fine_tune"), model, training);
        var resources = ResourcesSpecReader.Read(root.Object("resources"));
        if (training.Epochs == 0 && fineTune is null && model.Type != ModelType.Torchscript)
        {
            root.Error("training.epochs", "may be 0 (evaluate only) only for a pretrained model: set fine_tune.from or model.type torchscript");
        }

        root.RejectUnknownFields();

        return data is null || name is null
            ? null
            : new JobSpec
            {
                Name = name, Data = data, Model = model, Training = training, EarlyStopping = earlyStopping, Checkpointing = checkpointing, FineTune = fineTune,
                Resources = resources,
            };
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex NamePattern();
}
