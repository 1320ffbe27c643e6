using System.Text.Json;
using TrainingWorkers.Worker;

namespace TrainingWorkers.Image.Tests;

/// <summary>
/// Dockerfile.gpu against the worker it packs (no Docker engine here: the file is read, not built): its stages,
/// the user, the entry point and where the shim lands, the settings its ENV sets, and the health check's endpoint.
/// </summary>
public sealed class DockerfileContractTests
{
    private const string Bin = "/opt/trainingworkers/bin";
    private readonly Dockerfile _file = Dockerfile.Load(Repository.Path("Dockerfile.gpu"));

    [Fact]
    public void Stages_PublishAndBuildTheShimWithTheSharedScripts_OnASlimCudaBase()
    {
        var stages = _file.Stages();
        Assert.True(stages.Count >= 3, $"{stages.Count} stages: publish, shim and the image");
        var publish = Stage("publish");
        var shim = Stage("shim");
        Assert.Contains(publish, i => i.Keyword == "RUN" && i.Arguments.StartsWith("scripts/publish.sh ", StringComparison.Ordinal));
        Assert.Contains(shim, i => i.Keyword == "RUN" && i.Arguments.StartsWith("scripts/build-shim.sh ", StringComparison.Ordinal));
        var base_ = stages[^1][0].Arguments;
        // libtorch brings its own CUDA libraries: a -runtime or -devel base would hold them twice.
        Assert.Matches(@"^nvidia/cuda:\$\{CUDA_VERSION\}-base-ubuntu", base_);
    }

    [Fact]
    public void Image_RunsTheWorkerAsANonRootUser_WithTheShimBesideTw()
    {
        var image = _file.Stages()[^1].ToList();
        var user = image.Last(i => i.Keyword == "USER").Arguments;
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains(image, i => i.Keyword == "RUN" && i.Arguments.Contains($"useradd --system --uid 10001 --user-group --home-dir /var/lib/trainingworkers --create-home {user}", StringComparison.Ordinal));
        Assert.True(image.FindIndex(i => i.Keyword == "USER") < image.FindIndex(i => i.Keyword == "ENTRYPOINT"), "USER must come before ENTRYPOINT");

        var entry = JsonSerializer.Deserialize<string[]>(image.Single(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        Assert.Equal([$"{Bin}/tw-worker"], entry);
        Assert.Contains(image, i => i.Keyword == "COPY" && i.Arguments == $"--from=publish /out/bin {Bin}");
        // tw loads libtw_native.so from beside its own assemblies first.
        Assert.Contains(image, i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=shim ", StringComparison.Ordinal) && i.Arguments.EndsWith($" {Bin}/libtw_native.so", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_NamesWorkerSettings_AndTheHealthCheckAsksTheReadinessEndpointOnItsPort()
    {
        var image = _file.Stages()[^1].ToList();
        var env = Dockerfile.Environment(image);
        WorkerSettings.AssertAllExist(env.Keys.Where(k => k.StartsWith("TW_", StringComparison.Ordinal)), "Dockerfile.gpu");
        Assert.Equal($"{Bin}/tw", env["TW_Worker__TwExecutable"]);
        Assert.Equal(new WorkerOptions().HealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), env["TW_Worker__HealthPort"]);
        var check = image.Single(i => i.Keyword == "HEALTHCHECK").Arguments;
        Assert.Contains("CMD curl -fsS \"http://127.0.0.1:${TW_Worker__HealthPort}/health/ready\"", check, StringComparison.Ordinal);
        // The worker's home is where its work directory lives, and the cache folder is the user's.
        Assert.StartsWith("/var/lib/trainingworkers/", env["TW_Worker__WorkDirectory"], StringComparison.Ordinal);
        Assert.Contains(image, i => i.Keyword == "RUN" && i.Arguments.Contains($"install -d -o tw-worker -g tw-worker {env["TW_Aws__S3__CacheDirectory"]}", StringComparison.Ordinal));
        Assert.Equal("SIGTERM", image.Single(i => i.Keyword == "STOPSIGNAL").Arguments);
    }

    [Fact]
    public void BuildContext_LeavesOutTheCheckoutsBuildOutputs()
    {
        // A checkout's CPU shim (build/native) or bin/obj folders in the context would shadow what the stages build.
        var ignored = File.ReadAllLines(Repository.Path("Dockerfile.gpu.dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("build", ignored);
        Assert.Contains("**/bin", ignored);
        Assert.Contains("**/obj", ignored);
    }

    private IReadOnlyList<Dockerfile.Instruction> Stage(string name) =>
        _file.Stages().Single(s => s[0].Arguments.EndsWith($" AS {name}", StringComparison.OrdinalIgnoreCase));
}
