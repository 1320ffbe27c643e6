using Amazon.Runtime;

namespace TrainingWorkers.Aws.Tests;

/// <summary>Static test credentials that count how often the signer asks for them (once per signed request).</summary>
internal sealed class CountingCredentials : AWSCredentials
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override ImmutableCredentials GetCredentials()
    {
        Interlocked.Increment(ref _count);
        return new ImmutableCredentials(MotoFixture.AccessKeyId, MotoFixture.SecretKey, null);
    }

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
}
