using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using TrainingWorkers.Deploy;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The app synthesized once (jsii's start takes seconds): both stacks' templates, as CDK assertions and as JSON.
/// Every test that touches CDK types is in its collection: the jsii runtime serves one thread at a time.
/// </summary>
public sealed class SynthesizedFleet : IDisposable
{
    public SynthesizedFleet()
    {
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        Directory = Path.Combine(Path.GetTempPath(), "tw-synth-" + Guid.NewGuid().ToString("N")[..8]);
        App = FleetApp.Create(outdir: Directory);
        App.App.Synth();
        DataPlane = Template.FromStack(App.DataPlane);
        Fleet = Template.FromStack(App.Fleet);
        DataPlaneJson = JsonNode.Parse(File.ReadAllText(DataPlaneFile))!.AsObject();
        FleetJson = JsonNode.Parse(File.ReadAllText(FleetFile))!.AsObject();
    }

    public string Directory { get; }
    public FleetApp App { get; }
    public Template DataPlane { get; }
    public Template Fleet { get; }
    public JsonObject DataPlaneJson { get; }
    public JsonObject FleetJson { get; }
    public string DataPlaneFile => Path.Combine(Directory, App.DataPlane.StackName + ".template.json");
    public string FleetFile => Path.Combine(Directory, App.Fleet.StackName + ".template.json");

    /// <summary>The resources of one type in a template, by logical id.</summary>
    public static IReadOnlyList<(string Id, JsonObject Resource)> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject().Where(r => (string?)r.Value!["Type"] == type).Select(r => (r.Key, r.Value!.AsObject())).ToList();

    public static JsonObject Single(JsonObject template, string type) => Assert.Single(Resources(template, type)).Resource;

    /// <summary>The launch template's user data as deployed, each reference to another resource written <c>VALUE</c>.</summary>
    public string UserDataText()
    {
        var data = Single(FleetJson, "AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!["UserData"]!["Fn::Base64"]!;
        // A Fn::Join of text and references: the references become placeholders.
        return data is JsonObject join
            ? string.Concat(join["Fn::Join"]![1]!.AsArray().Select(p => p is JsonValue v ? v.GetValue<string>() : "VALUE"))
            : data.GetValue<string>();
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The temp directory is cleaned by the OS eventually.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SynthesizedFleetCollection : ICollectionFixture<SynthesizedFleet>
{
    public const string Name = "synthesized fleet";
}
