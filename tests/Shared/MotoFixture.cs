namespace TrainingWorkers.Testing;

/// <summary>
/// One moto server shared by the tests of a collection; every test uses its own random names. The fake
/// credentials go into this process's environment, the first link of the default AWS chain, so the tests'
/// own clients sign with them; <see cref="ChildEnvironment"/> passes them to `tw` and `tw-worker` children.
/// Test projects add their own helpers in another part of this partial class.
/// </summary>
public sealed partial class MotoFixture : IAsyncLifetime
{
    public const string AccessKeyId = "AKIAIOSFODNN7TESTKEY";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";
    public const string Region = "us-east-1";
    private MotoServer? _server;

    public MotoServer Server => _server ?? throw new InvalidOperationException("moto is not running");

    public Uri Url => Server.Url;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", Region);
        _server = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>The credentials and region for a child process; nothing of the user's own AWS set-up leaks in.</summary>
    public static Dictionary<string, string?> ChildEnvironment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = Region,
        ["AWS_PROFILE"] = null,
        ["AWS_SESSION_TOKEN"] = null,
    };

    public static string RandomName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];
}
