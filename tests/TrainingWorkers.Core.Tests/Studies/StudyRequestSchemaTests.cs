using System.Text.Json;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Tests.Spec;

namespace TrainingWorkers.Core.Tests.Studies;

/// <summary>Keeps the request schemas and the parser in step (same objects, same field names), and every example request valid.</summary>
public class StudyRequestSchemaTests
{
    public static TheoryData<string, string> ObjectPaths() => new()
    {
        { "finetune", "" }, { "finetune", "base_model" }, { "finetune", "stages" },
        { "tune", "" }, { "tune", "objective" }, { "tune", "search" }, { "tune", "stopping" }, { "tune", "warm_start" }, { "tune", "finetune" },
    };

    [Theory]
    [MemberData(nameof(ObjectPaths))]
    public void Schema_EveryField_IsKnownToTheParser_AndAnUnknownOneIsRejected(string kind, string path)
    {
        var schema = SchemaObject(kind, path);
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        foreach (var field in schema.GetProperty("properties").EnumerateObject().Select(p => p.Name))
        {
            Assert.DoesNotContain($"{Prefix(path)}{field}: unknown field", ErrorsWithField(kind, path, field));
        }

        Assert.Contains($"{Prefix(path)}surplus: unknown field", ErrorsWithField(kind, path, "surplus"));
    }

    [Fact]
    public void ExampleRequests_AllParse()
    {
        var files = Directory.GetFiles(Path.Combine(JobSpecParserTests.RepositoryRoot(), "examples"), "*.json", SearchOption.AllDirectories)
            .Where(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.TryGetProperty("kind", out _)).ToList();
        Assert.True(files.Count >= 6, string.Join(", ", files));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var request = StudyRequestParser.Parse(text, JsonDocument.Parse(text).RootElement.GetProperty("kind").GetString());
            Assert.True(request.Name.Length > 0, file);
        }
    }

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ".";

    private static JsonElement SchemaObject(string kind, string path)
    {
        var file = Path.Combine(JobSpecParserTests.RepositoryRoot(), $"src/TrainingWorkers.Core/Studies/{kind}-request.v1.schema.json");
        var root = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        var node = root;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries)) node = node.GetProperty("properties").GetProperty(part);
        // A field defined once under $defs ("$ref": "#/$defs/stages").
        if (node.TryGetProperty("$ref", out var reference) && reference.GetString()!.StartsWith("#/$defs/", StringComparison.Ordinal))
        {
            node = root.GetProperty("$defs").GetProperty(reference.GetString()!["#/$defs/".Length..]);
        }

        return node;
    }

    /// <summary>The errors of a valid request with <c>field: 1</c> added at <paramref name="path"/>.</summary>
    private static IReadOnlyList<string> ErrorsWithField(string kind, string path, string field)
    {
        var request = kind == "finetune" ? Requests.FineTune() : Requests.Tune(""", "warm_start": { "study": "s1" }""");
        if (path == "finetune") request = Requests.With(request, "finetune", """{ "base_model": { "uri": "s3://b/m.pt" }, "approach": "freeze" }""");
        if (path is "stages" or "search" or "stopping") request = Requests.With(request, path, "{}");
        request = Requests.With(request, path.Length == 0 ? field : $"{path}.{field}", "1");
        try
        {
            StudyRequestParser.Parse(request);
            return [];
        }
        catch (InvalidRequestException e)
        {
            return e.Errors.Select(x => x.ToString()).ToList();
        }
    }
}
