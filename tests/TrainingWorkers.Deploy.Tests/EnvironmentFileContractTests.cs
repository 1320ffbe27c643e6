using System.Text.RegularExpressions;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The launch template and the image agree on the worker's configuration: the user data writes the file the image's
/// unit reads (<c>EnvironmentFile=</c>), every line of it parses under systemd's rules to exactly the value the stack
/// meant, every key is a setting the worker reads, and the AMI comes from the parameter the image build writes.
/// </summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed partial class EnvironmentFileContractTests(SynthesizedFleet synth)
{
    private static readonly string Files = Repository.Path("ami", "provision", "files");

    [Fact]
    public void Unit_ReadsTheFileTheUserDataWrites()
    {
        var unit = SystemdUnit.Load(Path.Combine(Files, "tw-worker.service"));
        var path = SystemdUnit.Load(Path.Combine(Files, "tw-worker.path"));

        // A leading '-' would make a missing file no error: the worker would start unconfigured.
        Assert.Equal(WorkerConfiguration.EnvironmentFile, unit.Required("Service", "EnvironmentFile"));
        Assert.Equal(WorkerConfiguration.EnvironmentFile, unit.Required("Unit", "ConditionPathExists"));
        Assert.Equal(WorkerConfiguration.EnvironmentFile, path.Required("Path", "PathChanged"));
        Assert.Contains($"mv {WorkerConfiguration.EnvironmentFile}.tmp {WorkerConfiguration.EnvironmentFile}\n", synth.UserDataText(), StringComparison.Ordinal);
    }

    [Fact]
    public void UserData_EveryLine_ParsesUnderSystemdsRulesToAWorkerSetting()
    {
        var lines = Body(synth.UserDataText());
        var parsed = SystemdEnvironmentFile.Parse(string.Join("\n", lines) + "\n");

        // One assignment per line: systemd dropped none (a bad name) and merged none (a continued line or quote).
        Assert.Equal(lines.Count, parsed.Count);
        Assert.True(lines.Count >= WorkerConfiguration.FromDataPlane.Count, $"{lines.Count} lines");
        WorkerSettings.AssertAllExist(parsed.Select(kv => kv.Key), "the launch template's user data");
        Assert.All(parsed, kv => Assert.DoesNotContain('\'', kv.Value));
    }

    [Fact]
    public void UserData_EveryValue_ReachesTheWorkerAsTheStackWroteIt()
    {
        // Before deployment the values are CDK tokens (${Token[...]}): $, braces and brackets, read back verbatim.
        var expected = synth.App.Fleet.Settings.Select(s => new KeyValuePair<string, string>(WorkerConfiguration.Variable(s.Key), s.Value)).ToList();

        var parsed = SystemdEnvironmentFile.Parse(string.Join("\n", Body(synth.App.Fleet.LaunchTemplate.UserDataScript)));

        Assert.Equal(expected, parsed);
        Assert.Contains(parsed, kv => kv.Value.Contains("${Token[", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with blanks  and\ttabs ")]
    [InlineData("$HOME ${X} `x` \"q\" \\ ; # =")]
    public void Assignment_AValueWithoutQuoteOrLineBreak_ReadsBackVerbatim(string value)
    {
        var line = WorkerLaunchTemplate.Assignment("Worker:LifecycleHookName", value);

        Assert.Equal([new("TW_Worker__LifecycleHookName", value)], SystemdEnvironmentFile.Parse(line + "\n"));
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("two\nlines")]
    public void Assignment_AValueWithAQuoteOrLineBreak_IsAnImageContractError(string value)
    {
        var e = Assert.Throws<ImageContractException>(() => WorkerLaunchTemplate.Assignment("Worker:LifecycleHookName", value));

        Assert.Equal(WorkerConfiguration.EnvironmentFile, e.File);
        Assert.Equal("TW_Worker__LifecycleHookName", e.Field);
        Assert.Contains("single quote or a line break", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AmiParameter_IsTheOneTheImageBuildWrites_AsAnImageId()
    {
        var script = File.ReadAllText(Repository.Path("ami", "build.sh"));
        var written = AmiParameterLine().Match(script);

        Assert.True(written.Success, "ami/build.sh sets no AMI_PARAMETER");
        Assert.Equal(WorkerConfiguration.AmiParameter, written.Groups[1].Value);
        // resolve:ssm: in a launch template takes only a parameter of data type aws:ec2:image.
        Assert.Contains("put-parameter --name \"$AMI_PARAMETER\" --type String --data-type aws:ec2:image", script, StringComparison.Ordinal);
        var images = SynthesizedFleet.Resources(synth.FleetJson, "AWS::EC2::LaunchTemplate")
            .Select(t => (string?)t.Resource["Properties"]!["LaunchTemplateData"]!["ImageId"]).ToList();
        Assert.Contains("resolve:ssm:" + WorkerConfiguration.AmiParameter, images);
    }

    // The heredoc the user data writes the file with.
    private static List<string> Body(string script)
    {
        var lines = script.Split('\n');
        var start = Array.FindIndex(lines, l => l.EndsWith("<<'TW_ENV'", StringComparison.Ordinal));
        var end = Array.IndexOf(lines, "TW_ENV", start + 1);
        Assert.True(start >= 0 && end > start, "the user data writes no environment file (cat > ... <<'TW_ENV' ... TW_ENV)");
        Assert.Contains($"cat > {WorkerConfiguration.EnvironmentFile}.tmp", lines[start], StringComparison.Ordinal);
        return lines[(start + 1)..end].ToList();
    }

    [GeneratedRegex(@"^readonly AMI_PARAMETER=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex AmiParameterLine();
}
