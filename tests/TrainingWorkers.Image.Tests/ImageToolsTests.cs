namespace TrainingWorkers.Image.Tests;

/// <summary>The checks the image's files get without AWS or Docker: shellcheck, `packer validate` and `packer fmt`, the Dockerfile linter.</summary>
public sealed class ImageToolsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Shellcheck_TheImageAndGpuScripts_FindsNothing()
    {
        var scripts = Directory.GetFiles(Repository.Path("scripts"), "*.sh")
            .Concat(Directory.GetFiles(Repository.Path("ami"), "*.sh", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Contains(Repository.Path("ami", "provision", "install.sh"), scripts);
        Assert.Contains(Repository.Path("scripts", "build-shim.sh"), scripts);
        Assert.True(scripts.Count >= 7, string.Join(", ", scripts));

        var (code, output) = await Repository.RunAsync("shellcheck", scripts, Timeout);

        Assert.True(code == 0 && output.Length == 0, $"shellcheck (exit {code}):\n{output}");
    }

    [Fact]
    public async Task Packer_Template_ValidatesWithDebiansPackerAndIsFormatted()
    {
        var template = Repository.Path("ami", "worker.pkr.hcl");
        // Newer Packers want the amazon plugin named in a required_plugins block; 1.6.6 rejects one (it has the builder built in).
        Assert.DoesNotContain(await File.ReadAllLinesAsync(template), l => !l.TrimStart().StartsWith('#') && l.Contains("required_plugins", StringComparison.Ordinal));

        var (code, output) = await Repository.RunAsync("packer", ["validate", "-var", "region=us-east-1", "-var", "source_ami=ami-0123456789abcdef0",
            "-var", $"bundle={template}", template], Timeout);
        Assert.True(code == 0, $"packer validate (exit {code}):\n{output}");

        (code, output) = await Repository.RunAsync("packer", ["fmt", "-check", "-diff", template], Timeout);
        Assert.True(code == 0, $"packer fmt -check (exit {code}):\n{output}");
    }

    [Fact]
    public async Task Packer_TemplateWithoutTheSourceAmi_IsRejected()
    {
        // The build script must always pass the resolved AMI: the template has no default to fall back on.
        var template = Repository.Path("ami", "worker.pkr.hcl");

        var (code, output) = await Repository.RunAsync("packer", ["validate", "-var", "region=us-east-1", "-var", $"bundle={template}", template], Timeout);

        Assert.NotEqual(0, code);
        Assert.Contains("Unset variable \"source_ami\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerfileGpu_LintsClean()
    {
        var linter = Repository.Path("build", "tools", "node_modules", ".bin", "dockerfile-utils");
        Assert.True(File.Exists(linter), $"{linter} is missing: run `make setup`");

        var (code, output) = await Repository.RunAsync(linter, ["lint", Repository.Path("Dockerfile.gpu")], Timeout);

        Assert.True(code == 0 && output.Length == 0, $"dockerfile-utils lint (exit {code}):\n{output}");
    }
}
