namespace TrainingWorkers.Image.Tests;

/// <summary>
/// The AMI's bundle, made once for the tests that need it, as the AMI build makes it: `ami/build.sh bundle`
/// (tw and tw-worker published self-contained for linux-x64: a minute or more) and extracted as Packer's
/// provisioner extracts it on the build instance.
/// </summary>
public sealed class BundleFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("tw-bundle-").FullName;

    /// <summary>The extracted bundle: bin/, src/native/, scripts/build-shim.sh, ami/provision/.</summary>
    public string Stage => Path.Combine(Directory, "stage");

    public async Task InitializeAsync()
    {
        var (code, output) = await Repository.RunAsync(Repository.Path("ami", "build.sh"), ["bundle", Directory], TimeSpan.FromMinutes(15));
        Assert.True(code == 0, $"ami/build.sh bundle (exit {code}):\n{output}");
        System.IO.Directory.CreateDirectory(Stage);
        (code, output) = await Repository.RunAsync("tar", ["xzf", Path.Combine(Directory, "tw-image.tgz"), "-C", Stage], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}
