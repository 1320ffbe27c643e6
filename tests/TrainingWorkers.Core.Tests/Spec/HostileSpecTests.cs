using System.Text.Json.Nodes;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

/// <summary>
/// Classes of bad input, not examples: every field of every example spec replaced by every kind of hostile value
/// is refused with an <see cref="InvalidSpecException"/> whose errors name a path and stay bounded; nothing else escapes.
/// </summary>
public class HostileSpecTests
{
    private const string LoneSurrogate = "\"\\ud800\"";

    /// <summary>Values in JSON text: each JSON type, text that does not decode, and text far too long to echo.</summary>
    private static readonly string[] Hostile =
    [
        "null", "true", "0", "-1", "1e308", "-0.5", "18446744073709551616", "\"\"", "\"  \"", "\"x\\n\"", LoneSurrogate,
        "\"\\udfff tail\"", "[]", "[null]", "{}", "{\"a\":" + LoneSurrogate + "}", "\"" + new string('x', 100_000) + "\"",
    ];

    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in JobSpecParserTests.ExampleSpecFiles())
        {
            data.Add(Path.GetRelativePath(JobSpecParserTests.RepositoryRoot(), file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Parse_EveryFieldOfAnExampleReplacedByAnyHostileValue_IsRefusedByFieldOrParses(string example)
    {
        var text = File.ReadAllText(Path.Combine(JobSpecParserTests.RepositoryRoot(), example));
        var paths = Paths(JsonNode.Parse(text)!, "").ToList();
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            foreach (var value in Hostile)
            {
                var json = Replace(text, path, value);
                try
                {
                    JobSpecParser.Parse(json);
                }
                catch (InvalidSpecException e)
                {
                    Assert.NotEmpty(e.Errors);
                    Assert.All(e.Errors, error =>
                    {
                        Assert.False(string.IsNullOrEmpty(error.Path), $"{example} {path}={Short(value)}: an error without a path");
                        Assert.True(error.Message.Length < 1000, $"{example} {path}={Short(value)}: an error of {error.Message.Length} characters");
                    });
                }
            }
        }
    }

    [Fact]
    public void Parse_LoneSurrogateAnywhere_NamesItsPath()
    {
        var errors = Errors($$"""{ "apiVersion": "trainingworkers/v1", "name": {{LoneSurrogate}}, "data": { "train": "fashion-mnist", "class_names": ["a", {{LoneSurrogate}}] } }""");

        Assert.Contains("name: is not valid Unicode text (a lone surrogate escape such as \\ud800)", errors);
        Assert.Contains("data.class_names[1]: is not valid Unicode text (a lone surrogate escape such as \\ud800)", errors);
    }

    [Fact]
    public void Parse_DuplicateField_IsRefusedNotLastOneWins()
    {
        var errors = Errors("""{ "apiVersion": "trainingworkers/v1", "name": "a", "name": "b", "data": { "train": "fashion-mnist" } }""");

        Assert.Contains("name: appears twice: a field may be given once", errors);
    }

    [Fact]
    public void Parse_Null_IsRefusedWithHowToGetTheDefault()
    {
        var errors = Errors("""{ "apiVersion": "trainingworkers/v1", "name": "a", "data": { "train": "fashion-mnist" }, "training": { "epochs": null } }""");

        Assert.Contains("training.epochs: must not be null: leave the field out to get its default", errors);
    }

    [Theory]
    [InlineData("""{ "apiVersion": "trainingworkers/v1", "name": "a", /* why */ "data": { "train": "fashion-mnist" } }""")]
    [InlineData("""{ "apiVersion": "trainingworkers/v1", "name": "a", "data": { "train": "fashion-mnist", }, }""")]
    public void Parse_CommentsAndTrailingCommas_AreNotJson(string json)
    {
        var error = Assert.Single(Errors(json));

        Assert.StartsWith("$: is not valid JSON: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"job\\n\"")]
    [InlineData("\"job\\r\\n\"")]
    [InlineData("\"-job\"")]
    public void Parse_NameWithANewlineOrBadStart_IsRefused(string name)
    {
        var errors = Errors($$"""{ "apiVersion": "trainingworkers/v1", "name": {{name}}, "data": { "train": "fashion-mnist" } }""");

        Assert.Contains(errors, e => e.StartsWith("name: must be 1-64 letters", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_EmptyString_IsRefusedNamingTheField()
    {
        var errors = Errors("""{ "apiVersion": "trainingworkers/v1", "name": "a", "data": { "train": "fashion-mnist" }, "checkpointing": { "directory": "" } }""");

        Assert.Contains("checkpointing.directory: must not be empty", errors);
    }

    [Fact]
    public void Parse_HugeValue_IsNotEchoedWhole()
    {
        var huge = new string('n', 10_000_000);
        var error = Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse($$"""{ "apiVersion": "trainingworkers/v1", "name": "{{huge}}", "data": { "train": "fashion-mnist" } }"""));

        Assert.True(error.Message.Length < 2000, $"{error.Message.Length} characters");
        Assert.Equal("name", error.Field);
    }

    [Fact]
    public void InvalidSpec_IsBadInputToTheClassifier()
    {
        var error = Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse("""{ "apiVersion": "trainingworkers/v1", "name": "a" }"""));

        var failure = JobFailure.From(error);
        Assert.Equal(FailureKind.InvalidInput, failure.Kind);
        Assert.Equal("data", failure.Field);
        Assert.False(failure.IsRetryable);
    }

    private static List<string> Errors(string json) =>
        Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse(json)).Errors.Select(e => e.ToString()).ToList();

    // Every node's path, as a list of keys and indices.
    private static IEnumerable<string> Paths(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    var at = path.Length == 0 ? key : $"{path}/{key}";
                    yield return at;
                    if (child is not null) foreach (var p in Paths(child, at)) yield return p;
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return $"{path}/{i}";
                    if (a[i] is { } child) foreach (var p in Paths(child, $"{path}/{i}")) yield return p;
                }

                break;
        }
    }

    // Replaces the node at path with a raw JSON value (which may be text System.Text.Json would not write itself).
    private static string Replace(string json, string path, string rawValue)
    {
        const string marker = "\"__hostile__\"";
        var root = JsonNode.Parse(json)!;
        var parts = path.Split('/');
        var parent = root;
        foreach (var part in parts[..^1]) parent = parent is JsonArray arr ? arr[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        if (parent is JsonArray array) array[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = "__hostile__";
        else parent[parts[^1]] = "__hostile__";
        return root.ToJsonString().Replace(marker, rawValue, StringComparison.Ordinal);
    }

    private static string Short(string value) => value.Length > 30 ? value[..30] + "..." : value;
}
