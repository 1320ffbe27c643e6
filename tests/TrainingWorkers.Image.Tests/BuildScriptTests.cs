namespace TrainingWorkers.Image.Tests;

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "image moto";
}

/// <summary>
/// ami/build.sh's AWS steps against moto's SSM through the aws CLI, as on AWS: choosing the newest Deep Learning
/// AMI from its public parameters, and writing the built AMI's id to the parameter the fleet's launch template reads.
/// (moto, like AWS, refuses writes under /aws/, so the Deep Learning AMIs' parameters are laid under another path.)
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class BuildScriptTests(MotoFixture moto)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task SourceAmi_PicksTheNewestPyTorchDlamiThenTheNewestUbuntu_IgnoringOtherImages()
    {
        var path = $"/{MotoFixture.RandomName("dl")}/deeplearning/ami/x86_64";
        foreach (var (name, ami) in new[]
        {
            ("oss-nvidia-driver-gpu-pytorch-2.9-ubuntu-24.04", "ami-0000000000000029a"),
            ("oss-nvidia-driver-gpu-pytorch-2.10-ubuntu-22.04", "ami-0000000000000210a"),
            ("oss-nvidia-driver-gpu-pytorch-2.10-ubuntu-24.04", "ami-0000000000000210b"),
            ("base-oss-nvidia-driver-gpu-ubuntu-24.04", "ami-00000000000000bbb"),
            ("oss-nvidia-driver-gpu-tensorflow-2.99-ubuntu-24.04", "ami-00000000000000ccc"),
        })
        {
            await Aws("ssm", "put-parameter", "--name", $"{path}/{name}/latest/ami-id", "--type", "String", "--value", ami);
        }

        var newest = await BuildScript(new() { ["TW_DLAMI_PATH"] = path }, "source-ami");
        var on2204 = await BuildScript(new() { ["TW_DLAMI_PATH"] = path, ["TW_DLAMI_UBUNTU"] = "22.04" }, "source-ami");

        Assert.Equal((0, $"{path}/oss-nvidia-driver-gpu-pytorch-2.10-ubuntu-24.04/latest/ami-id ami-0000000000000210b"), (newest.ExitCode, newest.Output.Trim()));
        Assert.Equal((0, $"{path}/oss-nvidia-driver-gpu-pytorch-2.10-ubuntu-22.04/latest/ami-id ami-0000000000000210a"), (on2204.ExitCode, on2204.Output.Trim()));
        var none = await BuildScript(new() { ["TW_DLAMI_PATH"] = path + "/nothing-here" }, "source-ami");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("no oss-nvidia-driver-gpu-pytorch-*-ubuntu-* AMI under", none.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_WritesTheAmiIdToTheFleetsParameter_AndRefusesAnAmiOfAnotherRegion()
    {
        var dir = Directory.CreateTempSubdirectory("tw-manifest-").FullName;
        try
        {
            var manifest = Path.Combine(dir, "packer-manifest.json");
            await File.WriteAllTextAsync(manifest, """{ "builds": [ { "name": "worker", "artifact_id": "us-east-1:ami-0123456789abcdef0" } ] }""");
            var published = await BuildScript([], "publish", manifest);
            Assert.True(published.ExitCode == 0, published.Output);

            var (code, value) = await Aws("ssm", "get-parameter", "--name", "/trainingworkers/worker/ami-id", "--query", "[Parameter.Value, Parameter.DataType]", "--output", "text");
            Assert.Equal("ami-0123456789abcdef0\taws:ec2:image", value.Trim());

            await File.WriteAllTextAsync(manifest, """{ "builds": [ { "name": "worker", "artifact_id": "us-west-2:ami-0fedcba9876543210" } ] }""");
            var refused = await BuildScript([], "publish", manifest);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("ami-0fedcba9876543210 was registered in us-west-2, not AWS_REGION us-east-1", refused.Output, StringComparison.Ordinal);
            (_, value) = await Aws("ssm", "get-parameter", "--name", "/trainingworkers/worker/ami-id", "--query", "Parameter.Value", "--output", "text");
            Assert.Equal("ami-0123456789abcdef0", value.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private Dictionary<string, string?> Environment() => new(MotoFixture.ChildEnvironment())
    {
        ["AWS_ENDPOINT_URL"] = moto.Url.ToString(),
        ["AWS_DEFAULT_REGION"] = null,
    };

    private async Task<(int ExitCode, string Output)> Aws(params string[] args)
    {
        var env = Environment();
        env["AWS_DEFAULT_REGION"] = MotoFixture.Region;
        var result = await Repository.RunAsync("aws", args, Timeout, env);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)}:\n{result.Output}");
        return result;
    }

    private Task<(int ExitCode, string Output)> BuildScript(Dictionary<string, string?> settings, params string[] args)
    {
        var env = Environment();
        foreach (var (k, v) in settings) env[k] = v;
        return Repository.RunAsync(Repository.Path("ami", "build.sh"), args, Timeout, env);
    }
}
