using TrainingWorkers.Benchmarks;
using TrainingWorkers.Engine;

// `throughput` (make bench): epoch and step time, peak memory and start-up against PyTorch.
// `accuracy` (make accuracy): the example specs' test accuracy against the targets.
// `steps`: only the isolated-step comparison (quick, for investigating a throughput gap).
// Exit codes: 0 all targets met, 1 a check failed (not like for like), 2 a target was missed, 64 usage.
// `epoch-overhead` (make bench-input): the epoch loop's time over its isolated steps, with and without prefetching.
// `input` (make bench-input): our image pipeline against torchvision's DataLoader; `decoders`: the decoder choice.
if (args.Length == 0 || args[0] is not ("throughput" or "accuracy" or "steps" or "epoch-overhead" or "input" or "decoders"))
{
    Console.Error.WriteLine("usage: TrainingWorkers.Benchmarks throughput|steps [--epochs N] [--runs N] [--threads N] [--mlp-train-limit N|all] [--cnn-train-limit N|all] [--models mlp,cnn]");
    Console.Error.WriteLine("       TrainingWorkers.Benchmarks accuracy");
    Console.Error.WriteLine("       TrainingWorkers.Benchmarks epoch-overhead|input [--epochs N] [--runs N] [--threads N]");
    Console.Error.WriteLine("       TrainingWorkers.Benchmarks decoders");
    return 64;
}

var env = BenchEnvironment.Locate();
env.CheckTools(needsPython: args[0] != "accuracy");
var options = BenchOptions.Parse(args[1..]);
Torch.Initialize(options.Threads);
Console.WriteLine(BenchEnvironment.Header(args[0]));
if (args[0] == "accuracy") return await AccuracyBenchmark.RunAsync(env).ConfigureAwait(false);

var verdicts = new Verdicts();
if (args[0] == "decoders")
{
    var decoders = new TextTable("images", "SkiaSharp 3.119 us/image", "ImageSharp 2.1.13", "NetVips 8.18.7");
    DecoderBenchmark.Run(decoders);
    Console.WriteLine("Decoding one image to 8-bit RGBA pixels, one thread, best of 5 passes taking turns:");
    Console.WriteLine(decoders);
    return 0;
}

if (args[0] == "input")
{
    var loaders = new TextTable("folder, transforms", "ours images/s min / median / max", "torchvision DataLoader images/s", "ours / torchvision");
    var epochTable = new TextTable("model", "ours s/epoch min / median / max", "PyTorch + DataLoader s/epoch", "PyTorch / ours (median per run)");
    await new InputPipelineBenchmark(options).RunAsync(loaders, epochTable).ConfigureAwait(false);
    Console.WriteLine("Images decoded and augmented per second (an epoch of batches, nothing else), RandomResizedCrop + RandomHorizontalFlip + Normalize:");
    Console.WriteLine(loaders);
    Console.WriteLine("Epoch time of a ResNet trained on those batches (>= 1.0: we are no slower):");
    Console.WriteLine(epochTable);
    return 0;
}

if (args[0] == "epoch-overhead")
{
    var overhead = new TextTable("data.loader_threads", "epoch s (start to last step) min / median / max", "isolated steps x steps per epoch, s", "epoch / isolated steps: min / median / max");
    await new EpochOverheadBenchmark(env, options).RunAsync(overhead, verdicts).ConfigureAwait(false);
    Console.WriteLine($"MLP (examples/fashion-mlp.json, all training data), {options.Threads} threads, {options.Runs} runs x {options.Epochs} epochs per setting, alternating:");
    Console.WriteLine(overhead);
    return verdicts.Finish();
}
if (args[0] == "throughput")
{
    var timings = new TextTable("model", "engine", "parameters", "train examples", "s/epoch min / median / max", "samples/s (median)");
    var ratios = new TextTable("model", "runs x epochs", "PyTorch/ours per run: min / median / max", "all epochs: median / median", "min / min", "target (median per run)", "result");
    var throughput = new ThroughputBenchmark(env, options);
    var sameJob = (!options.Measures("mlp") || await throughput.RunAsync("fashion-mlp.json", options.MlpTrainLimit, timings, ratios, verdicts).ConfigureAwait(false))
        && (!options.Measures("cnn") || await throughput.RunAsync("fashion-cnn.json", options.CnnTrainLimit, timings, ratios, verdicts).ConfigureAwait(false));
    Console.WriteLine($"Training time per epoch, {options.Threads} threads, batch and optimizer from the spec, train mode, shuffled, no validation in the timed part:");
    Console.WriteLine(timings);
    Console.WriteLine("Throughput ratio (PyTorch seconds / our seconds: >= 1.0 means we are no slower):");
    Console.WriteLine(ratios);
    if (!sameJob) return verdicts.Finish();
}

var steps = new TextTable("model", "batch", "ours ms/step min / median / max", "PyTorch ms/step min / median / max", "PyTorch/ours (min)", "(median)");
var stepBench = new StepBenchmark(env, options);
if (options.Measures("mlp")) await stepBench.RunAsync("fashion-mlp.json", steps).ConfigureAwait(false);
if (options.Measures("cnn")) await stepBench.RunAsync("fashion-cnn.json", steps).ConfigureAwait(false);
Console.WriteLine("One training step in isolation (the same fixed batch, 200 steps after 20 warm-up; no shuffle or batch copies):");
Console.WriteLine(steps);
if (args[0] == "steps") return 0;

var resources = new ResourceBenchmark(env, options);
var memory = new TextTable("job", "tw run peak RSS MiB", "PyTorch peak RSS MiB", "tw / PyTorch", "target", "result");
if (options.Measures("mlp")) await resources.MemoryAsync("fashion-mlp.json", options.MlpTrainLimit, memory, verdicts).ConfigureAwait(false);
if (options.Measures("cnn")) await resources.MemoryAsync("fashion-cnn.json", options.CnnTrainLimit, memory, verdicts).ConfigureAwait(false);
Console.WriteLine("Peak resident memory of the whole process (/usr/bin/time %M), one epoch of the example job end to end:");
Console.WriteLine(memory);

var startup = new TextTable("spec", "process start -> 1st epoch (1 step) done, s: min / median / max", "whole `tw run`, s", "target (median)", "result");
if (options.Measures("mlp")) await resources.StartupAsync("fashion-mlp.json", startup, verdicts).ConfigureAwait(false);
if (options.Measures("cnn")) await resources.StartupAsync("fashion-cnn.json", startup, verdicts).ConfigureAwait(false);
Console.WriteLine("`tw run` start-up to first step (upper bound: to the end of a one-step first epoch):");
Console.WriteLine(startup);
return verdicts.Finish();
