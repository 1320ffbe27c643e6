using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The workers' launch template: the image from the SSM parameter the image build writes (resolved at each
/// launch, so a new image needs no stack update), IMDSv2 only, an encrypted gp3 root volume, the instance role,
/// and user data that writes the worker's configuration to <see cref="WorkerConfiguration.EnvironmentFile"/>.
/// </summary>
public sealed class WorkerLaunchTemplate : Construct
{
    /// <param name="settings">The worker's configuration: key and value (tokens allowed).</param>
    internal WorkerLaunchTemplate(Construct scope, string id, string amiParameter, string instanceProfileArn, string securityGroupId,
        IReadOnlyList<(string Key, string Value)> settings, double rootVolumeGiB, string rootDeviceName) : base(scope, id)
    {
        UserDataScript = UserData(settings);
        Template = new CfnLaunchTemplate(this, "Template", new CfnLaunchTemplateProps
        {
            LaunchTemplateData = new CfnLaunchTemplate.LaunchTemplateDataProperty
            {
                ImageId = "resolve:ssm:" + amiParameter,
                IamInstanceProfile = new CfnLaunchTemplate.IamInstanceProfileProperty { Arn = instanceProfileArn },
                SecurityGroupIds = [securityGroupId],
                // IMDSv2 only. Two hops: the worker may run in a container (Dockerfile.gpu) behind the host's bridge.
                MetadataOptions = new CfnLaunchTemplate.MetadataOptionsProperty
                {
                    HttpTokens = "required", HttpEndpoint = "enabled", HttpPutResponseHopLimit = 2,
                },
                BlockDeviceMappings = new object[]
                {
                    new CfnLaunchTemplate.BlockDeviceMappingProperty
                    {
                        DeviceName = rootDeviceName,
                        Ebs = new CfnLaunchTemplate.EbsProperty { VolumeType = "gp3", VolumeSize = rootVolumeGiB, Encrypted = true, DeleteOnTermination = true },
                    },
                },
                UserData = Fn.Base64(UserDataScript),
                TagSpecifications = new object[]
                {
                    new CfnLaunchTemplate.TagSpecificationProperty { ResourceType = "volume", Tags = new[] { new CfnTag { Key = "Name", Value = "tw-worker" } } },
                },
            },
        });
    }

    public CfnLaunchTemplate Template { get; }

    /// <summary>The user data before base64 (tokens unresolved): a shell script that writes the environment file.</summary>
    public string UserDataScript { get; }

    private static string UserData(IReadOnlyList<(string Key, string Value)> settings)
    {
        var lines = new List<string>
        {
            "#!/bin/bash",
            "# Written by the TrainingWorkers fleet stack: the worker's configuration, read by the image's systemd unit (EnvironmentFile=).",
            "set -euo pipefail",
            "install -d -m 0755 " + Path.GetDirectoryName(WorkerConfiguration.EnvironmentFile)!.Replace('\\', '/'),
            $"cat > {WorkerConfiguration.EnvironmentFile}.tmp <<'TW_ENV'",
        };
        lines.AddRange(settings.Select(s => Assignment(s.Key, s.Value)));
        lines.Add("TW_ENV");
        lines.Add($"chmod 0644 {WorkerConfiguration.EnvironmentFile}.tmp");
        // Renamed into place: a unit that starts meanwhile reads the old file whole or the new one whole.
        lines.Add($"mv {WorkerConfiguration.EnvironmentFile}.tmp {WorkerConfiguration.EnvironmentFile}");
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>
    /// One line of the environment file: the value in single quotes, which systemd's EnvironmentFile= and a shell's
    /// <c>set -a; . worker.env</c> both read verbatim (blanks, $, double quotes, backslashes). Neither can carry a
    /// single quote or a line break inside such a value: a value known at synth that holds one is an
    /// <see cref="ImageContractException"/>; deploy-time values (the data plane's names and URLs) cannot hold one.
    /// </summary>
    internal static string Assignment(string key, string value)
    {
        var variable = WorkerConfiguration.Variable(key);
        if (!Token.IsUnresolved(value) && value.IndexOfAny(['\'', '\n', '\r']) >= 0)
        {
            throw new ImageContractException(WorkerConfiguration.EnvironmentFile, variable,
                $"a value cannot hold a single quote or a line break (systemd's EnvironmentFile= and a shell read it single-quoted), got '{value}'");
        }

        return $"{variable}='{value}'";
    }
}
