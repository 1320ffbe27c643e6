using System.Diagnostics;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// The engine's checks: the shim loads, what libtorch is (version, threads, CUDA and cuDNN it was built with,
/// BLAS), the GPUs the driver shows against those libtorch sees, one training step on every device, and the
/// data-parallel backends. A check that needs the shim is skipped when it did not load.
/// </summary>
internal sealed class EngineChecks(DoctorRequirements requirements)
{
    // A small conv net: on CUDA the step goes through cuDNN, as a CNN job's would.
    private static readonly ModelDefinition Probe = new("input 1 8 8\nconv2d 1 4 3\nrelu\nflatten\nlinear 256 3", [1, 8, 8], 3, LossKind.CrossEntropy);
    private const int ProbeBatch = 16;

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var load = Torch.Load();
        var failures = new JsonArray(load.Failures.Select(f => (JsonNode)f).ToArray());
        if (load.LoadedFrom is null)
        {
            checks.Add(DoctorCheck.Fail("shim", $"libtw_native.so did not load: {string.Join("; ", load.Failures)}", new JsonObject { ["tried"] = failures }));
            foreach (var name in new[] { "libtorch", "gpus", "devices", "data parallel" }) checks.Add(DoctorCheck.Skip(name, "the shim did not load"));
            return checks;
        }

        checks.Add(DoctorCheck.Ok("shim", load.LoadedFrom, new JsonObject { ["path"] = load.LoadedFrom, ["tried_before"] = failures }));
        Torch.Initialize();
        checks.Add(Libtorch());
        checks.Add(Blas.Check());
        var inventory = await GpuInventory.ReadAsync(cancellationToken).ConfigureAwait(false);
        var cudaDevices = Torch.CudaDeviceCount;
        checks.Add(Gpus(inventory, cudaDevices));
        checks.Add(Step("cpu"));
        for (var i = 0; i < cudaDevices; i++) checks.Add(Step($"cuda:{i}"));
        checks.Add(DataParallel(cudaDevices));
        return checks;
    }

    private DoctorCheck Libtorch()
    {
        var build = Torch.CudaBuild;
        var details = new JsonObject
        {
            ["version"] = Torch.Version, ["threads"] = Torch.Threads, ["cuda"] = build.CudaVersion, ["cudnn"] = build.CudnnVersion,
        };
        var cuda = build.HasCuda ? $"CUDA {build.CudaVersion}, " + (build.HasCudnn ? $"cuDNN {build.CudnnVersion}" : "no cuDNN") : "a CPU build (no CUDA)";
        var summary = $"{Torch.Version}, {Torch.Threads} threads, {cuda}";
        if (requirements.CudaBuild && !(build.HasCuda && build.HasCudnn))
        {
            return DoctorCheck.Fail("libtorch", $"{summary}: --require-cuda-build wants a libtorch built with CUDA and cuDNN", details);
        }

        return DoctorCheck.Ok("libtorch", summary, details);
    }

    private DoctorCheck Gpus(GpuInventory inventory, int cudaDevices)
    {
        var details = new JsonObject
        {
            ["driver"] = inventory.DriverVersion, ["source"] = inventory.Source, ["libtorch_devices"] = cudaDevices,
            ["devices"] = new JsonArray(inventory.Gpus.Select(g => (JsonNode)new JsonObject
            {
                ["index"] = g.Index, ["name"] = g.Name, ["memory_total_mib"] = g.MemoryTotalMiB, ["memory_used_mib"] = g.MemoryUsedMiB,
            }).ToArray()),
        };
        var listed = string.Join(", ", inventory.Gpus.Select(g => $"{g.Index}: {g.Name} {g.MemoryUsedMiB}/{g.MemoryTotalMiB} MiB"));
        var shown = inventory.Gpus.Count;
        // CUDA_VISIBLE_DEVICES may hide some of the driver's GPUs from libtorch on purpose.
        var hidden = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is not null;
        if (cudaDevices < requirements.MinGpus)
        {
            return DoctorCheck.Fail("gpus", $"libtorch sees {cudaDevices} CUDA device(s), --min-gpus wants {requirements.MinGpus}" +
                (shown > 0 ? $" (the driver shows {shown}: {listed})" : $" ({inventory.Source})"), details);
        }

        if (cudaDevices < shown && !hidden)
        {
            return DoctorCheck.Fail("gpus", $"the driver shows {shown} GPU(s) but libtorch sees {cudaDevices}: " +
                (Torch.CudaBuild.HasCuda ? "CUDA failed to start (driver too old for libtorch's CUDA?)" : "this libtorch is a CPU build") + $"; {listed}", details);
        }

        return shown == 0 && cudaDevices == 0
            ? DoctorCheck.Ok("gpus", $"none ({inventory.Source}): training runs on CPU", details)
            : DoctorCheck.Ok("gpus", $"libtorch sees {cudaDevices}; driver {inventory.DriverVersion ?? "?"}: {listed}", details);
    }

    /// <summary>One forward/backward/optimizer step of a small conv net on <paramref name="device"/>.</summary>
    private static DoctorCheck Step(string device)
    {
        var name = "device " + device;
        try
        {
            Torch.ManualSeed(7);
            var random = new Random(7);
            var x = new float[ProbeBatch * Probe.InputSize];
            for (var i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
            var labels = Enumerable.Range(0, ProbeBatch).Select(i => (long)(i % Probe.Outputs)).ToArray();
            var clock = Stopwatch.StartNew();
            using var model = Model.Create(Probe, device);
            using var optimizer = Optimizer.Create(model, new TrainingSpec());
            var step = model.TrainStep(optimizer, x, labels, ProbeBatch);
            var ms = clock.Elapsed.TotalMilliseconds;
            var details = new JsonObject { ["device"] = device, ["loss"] = step.Loss, ["milliseconds"] = Math.Round(ms, 1) };
            return float.IsFinite(step.Loss)
                ? DoctorCheck.Ok(name, $"a training step (forward, backward, Adam) in {ms:F0} ms, loss {step.Loss:F3}", details)
                : DoctorCheck.Fail(name, $"a training step gave a non-finite loss ({step.Loss})", details);
        }
        catch (Exception e) when (e is TorchException or ArgumentException)
        {
            return DoctorCheck.Fail(name, $"a training step failed: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private DoctorCheck DataParallel(int cudaDevices)
    {
        var gloo = ProcessGroup.HasBackend("gloo");
        var nccl = ProcessGroup.HasBackend("nccl");
        var details = new JsonObject { ["gloo"] = gloo, ["nccl"] = nccl };
        var summary = $"Gloo {(gloo ? "yes" : "no")} (CPU), NCCL {(nccl ? "yes" : "no")} (CUDA)";
        if (!nccl && (cudaDevices > 1 || requirements.CudaBuild))
        {
            return DoctorCheck.Fail("data parallel", $"{summary}: without NCCL the GPUs cannot train one job together (rebuild the shim where nccl.h is found)", details);
        }

        return gloo ? DoctorCheck.Ok("data parallel", summary, details)
            : DoctorCheck.Warn("data parallel", $"{summary}: data-parallel training on CPU is off (the shim was built without Gloo)", details);
    }
}
