using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Core.Tests.Studies;

public class SpecPathTests
{
    [Theory]
    [InlineData("training.learning_rate", """{"training":{"learning_rate":0.5}}""")]
    [InlineData("model.hidden[1]", """{"model":{"hidden":[64,0.5]}}""")]
    [InlineData("model.conv[0].filters", """{"model":{"hidden":[64,32],"conv":[{"filters":0.5}]}}""")]
    [InlineData("fine_tune.backbone_learning_rate", """{"fine_tune":{"backbone_learning_rate":0.5}}""")]
    public void TrySet_CreatesMissingObjectsAndReplacesArrayElements(string path, string expected)
    {
        var root = new JsonObject { ["model"] = new JsonObject { ["hidden"] = new JsonArray(64, 32), ["conv"] = new JsonArray(new JsonObject { ["filters"] = 16 }) } };
        Assert.True(SpecPath.TryParse(path, out var p, out _));
        Assert.True(p!.TrySet(root, JsonValue.Create(0.5), out var error), error);
        var changed = JsonNode.Parse(expected)!.AsObject();
        Assert.Equal(0.5, p.Get(root)!.GetValue<double>());
        Assert.Equal(0.5, p.Get(changed)!.GetValue<double>());
    }

    [Theory]
    [InlineData("model.hidden[5]", "'hidden' has no element [5]")]
    [InlineData("model.missing[0]", "'missing' is not in the spec, so it has no element [0]: give the whole array in the spec")]
    [InlineData("model.hidden[0].x", "'x' is inside something that is not an object")]
    public void TrySet_PathTheSpecCannotHold_SaysWhy(string path, string why)
    {
        var root = new JsonObject { ["model"] = new JsonObject { ["hidden"] = new JsonArray(64) } };
        Assert.True(SpecPath.TryParse(path, out var p, out _));
        Assert.False(p!.TrySet(root, JsonValue.Create(1), out var error));
        Assert.Equal(why, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("1a")]
    [InlineData("a[x]")]
    [InlineData("a[0")]
    [InlineData("a-b")]
    public void TryParse_NotAPath_Fails(string text) => Assert.False(SpecPath.TryParse(text, out _, out _));
}
