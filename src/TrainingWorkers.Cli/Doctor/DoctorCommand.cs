using System.CommandLine;
using TrainingWorkers.Cli.Fleet;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// <c>tw doctor</c>: can this machine train? The shim and libtorch, the GPUs, one training step on each
/// device, the data-parallel backends, the worker's directories, and the configured queue, table and bucket.
/// Exit code 0: fit; 1: a check failed; 2: bad flags or settings. The AMI's worker unit runs it before the worker.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var output = FleetOptions.CreateOutput();
        var minGpus = new Option<int>("--min-gpus") { Description = "fail unless libtorch sees at least this many CUDA devices", DefaultValueFactory = _ => 0 };
        minGpus.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var n && n is < 0 or > 64) r.AddError($"--min-gpus: must be between 0 and 64, got {n}");
        });
        var cudaBuild = new Option<bool>("--require-cuda-build")
        {
            Description = "fail unless libtorch was built with CUDA and cuDNN and the shim with NCCL (checkable without a GPU, as in an image build)",
        };
        var bucket = new Option<string?>("--bucket") { Description = "the bucket for checkpoints and models (overrides TW_Aws__S3__Bucket and the environment's)" };
        var command = new Command("doctor", "check that this machine can train: shim, libtorch, GPUs, a step on each device, directories, AWS")
        {
            output, minGpus, cudaBuild, bucket,
        };
        var fleet = FleetOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var json = parse.GetValue(output) == "json";
            return FleetCommand.RunAsync("doctor", json, async () =>
            {
                var flags = fleet.AsConfiguration(parse);
                flags["Aws:S3:Bucket"] = parse.GetValue(bucket);
                var settings = Settings(fleet.Resolve(parse), flags);
                var requirements = new DoctorRequirements(parse.GetValue(minGpus), parse.GetValue(cudaBuild));
                var checks = new List<DoctorCheck>();
                checks.AddRange(await new EngineChecks(requirements).RunAsync(cancellationToken).ConfigureAwait(false));
                checks.AddRange(DirectoryChecks.Run(settings));
                checks.AddRange(await AwsChecks.RunAsync(settings, cancellationToken).ConfigureAwait(false));
                if (json) Console.Out.WriteLine(DoctorView.ToJson(checks));
                else DoctorView.Write(FleetCommand.CreateConsole(), checks);
                return DoctorView.IsFit(checks) ? ExitCodes.Success : ExitCodes.Unexpected;
            }, cancellationToken);
        });
        return command;
    }

    private static DoctorSettings Settings(FleetTarget environment, Dictionary<string, string?> flags)
    {
        try
        {
            return DoctorSettings.Resolve(environment, flags);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not convert (a malformed URL or number).
            throw new FleetInputException($"invalid worker configuration: {e.Message}", "invalid_settings");
        }
    }
}
