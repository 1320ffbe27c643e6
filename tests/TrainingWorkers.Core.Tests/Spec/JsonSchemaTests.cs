using System.Text.Json;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

/// <summary>Keeps the published JSON Schema and the parser in step: same objects, same field names.</summary>
public class JsonSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(JobSpecParserTests.RepositoryRoot(), "src/TrainingWorkers.Core/Spec/job-spec.v1.schema.json");

    /// <summary>Every object of the schema with the parser path it sits at and a minimal value that reaches it.</summary>
    public static TheoryData<string> ObjectPaths() => ["", "model", "data", "training", "data.augment", "training.optimizer", "training.lr_schedule", "early_stopping", "checkpointing", "fine_tune"];

    [Theory]
    [MemberData(nameof(ObjectPaths))]
    public void Schema_EveryField_IsKnownToTheParser(string path)
    {
        foreach (var field in SchemaObject(path).GetProperty("properties").EnumerateObject().Select(p => p.Name))
        {
            var errors = ErrorsWithField(path, field);
            Assert.DoesNotContain($"{Prefix(path)}{field}: unknown field", errors);
        }
    }

    [Theory]
    [MemberData(nameof(ObjectPaths))]
    public void Parser_UnknownField_IsRejectedWhereTheSchemaForbidsExtras(string path)
    {
        Assert.False(SchemaObject(path).GetProperty("additionalProperties").GetBoolean());
        Assert.Contains($"{Prefix(path)}surplus: unknown field", ErrorsWithField(path, "surplus"));
    }

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ".";

    private static JsonElement SchemaObject(string path)
    {
        var node = JsonDocument.Parse(File.ReadAllText(SchemaPath)).RootElement;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty("properties").GetProperty(part);
            if (node.TryGetProperty("oneOf", out var choices)) node = choices.EnumerateArray().First(c => c.TryGetProperty("properties", out _));
        }

        return node;
    }

    /// <summary>Parses a minimal spec with <c>field: 1</c> added at <paramref name="path"/>.</summary>
    private static IReadOnlyList<string> ErrorsWithField(string path, string field)
    {
        var root = new Dictionary<string, object?> { ["apiVersion"] = "trainingworkers/v1", ["name"] = "job", ["data"] = new Dictionary<string, object?> { ["train"] = "x" } };
        var target = root;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!target.TryGetValue(part, out var next) || next is not Dictionary<string, object?> child)
            {
                child = new Dictionary<string, object?>();
                target[part] = child;
            }

            target = child;
        }

        target[field] = 1;
        try
        {
            JobSpecParser.Parse(JsonSerializer.Serialize(root));
            return [];
        }
        catch (InvalidSpecException e)
        {
            return e.Errors.Select(x => x.ToString()).ToList();
        }
    }
}
