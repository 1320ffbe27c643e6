using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

public class ResourcesSpecTests
{
    private static string Spec(string resources) =>
        $$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "x" }{{(resources.Length == 0 ? "" : ", \"resources\": " + resources)}} }""";

    private static IReadOnlyList<string> Errors(string resources) =>
        Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse(Spec(resources))).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Parse_NoResources_IsOneNodeWithAllOfItsGpus()
    {
        var resources = JobSpecParser.Parse(Spec("")).Resources;
        Assert.Equal((1, null, false), (resources.Nodes, resources.GpusPerNode, resources.MultiNode));
    }

    [Fact]
    public void Parse_NodesAndGpusPerNode_AreRead()
    {
        var resources = JobSpecParser.Parse(Spec("""{ "nodes": 4, "gpus_per_node": 8 }""")).Resources;
        Assert.Equal((4, 8, true), (resources.Nodes, resources.GpusPerNode, resources.MultiNode));
    }

    [Theory]
    [InlineData("""{ "nodes": 0 }""", "resources.nodes: must be between 1 and 64, got 0")]
    [InlineData("""{ "nodes": 65 }""", "resources.nodes: must be between 1 and 64, got 65")]
    [InlineData("""{ "nodes": 2.5 }""", "resources.nodes: must be an integer, got 2.5")]
    [InlineData("""{ "nodes": "2" }""", "resources.nodes: must be an integer, got the string \"2\"")]
    [InlineData("""{ "gpus_per_node": 0 }""", "resources.gpus_per_node: must be between 1 and 64, got 0")]
    [InlineData("""{ "gpu_per_node": 1 }""", "resources.gpu_per_node: unknown field")]
    [InlineData("""[2]""", "resources: must be an object, got an array")]
    public void Parse_BadResources_AreRefusedNamingTheField(string resources, string expected) =>
        Assert.Contains(expected, Errors(resources));
}
