using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Aws.Benchmarks;

/// <summary>
/// The publisher's cost inside a training step. A synthetic step (CPU work calibrated to 1.6 ms, the measured
/// MLP step on this machine: 0.75 s per 469-step epoch) runs N times without metrics, then N times building and
/// publishing 20 points per step through the CloudWatch sink, which sends to the emulator in the background.
/// Prints the time inside Publish (what training waits for) and the change in whole-step time (which also
/// catches the background sender competing for the CPU).
/// </summary>
internal static class MetricsBenchmark
{
    private const int MetricsPerStep = 20;
    private static readonly TimeSpan TargetStep = TimeSpan.FromMilliseconds(1.6);

    public static async Task RunAsync(Uri endpoint, int steps)
    {
        // moto runs on the same two cores and spends far more CPU storing the points than the sink spends sending
        // them; the second run swaps the network for a transport that answers at once, leaving only our own cost.
        await RunAsync(endpoint, steps, "moto on this machine", null);
        await RunAsync(endpoint, steps, "instant in-process transport (the publisher's own cost)", new InstantHandler());
        await BatchCostAsync(endpoint);
    }

    // CPU time of sending one full batch (JSON, SigV4 over the body, HTTP plumbing) with nothing on the other end.
    private static async Task BatchCostAsync(Uri endpoint)
    {
        var options = new AwsOptions { Region = "us-east-1", ServiceUrl = endpoint };
        var connection = new AwsConnection(options, NullLogger.Instance);
        var client = new CloudWatchClient(connection.CreateSignedClient("monitoring", new InstantHandler()), connection);
        var sink = new CloudWatchMetricsSink(client, new MetricsOptions { FlushInterval = TimeSpan.FromHours(1) },
            new MetricDimensions { JobId = "bench", Model = "mlp" }, NullLogger<CloudWatchMetricsSink>.Instance);
        var points = Enumerable.Range(0, 1000).Select(i => new MetricPoint($"metric_{i % 20:D2}", i, MetricUnit.None, DateTimeOffset.UtcNow, null, i)).ToArray();
        for (var i = 0; i < 20; i++)
        {
            sink.Publish(points);
            await sink.FlushAsync(CancellationToken.None);
        }

        const int batches = 200;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            sink.Publish(points);
            await sink.FlushAsync(CancellationToken.None);
        }

        Console.WriteLine($"  sending one batch of 1000 points to an instant transport: {clock.Elapsed.TotalMilliseconds / batches:F2} ms wall");
        await sink.DisposeAsync();
    }

    private static async Task RunAsync(Uri endpoint, int steps, string target, HttpMessageHandler? transport)
    {
        var options = new AwsOptions { Region = "us-east-1", ServiceUrl = endpoint };
        var connection = new AwsConnection(options, NullLogger.Instance);
        var client = new CloudWatchClient(connection.CreateSignedClient("monitoring", transport), connection);
        var metricsOptions = new MetricsOptions { Namespace = "tw-bench", FlushInterval = TimeSpan.FromSeconds(1), BufferCapacity = 200_000 };
        var sink = new CloudWatchMetricsSink(client, metricsOptions, new MetricDimensions { JobId = "bench", Model = "mlp" },
            NullLogger<CloudWatchMetricsSink>.Instance);
        var names = Enumerable.Range(0, MetricsPerStep).Select(i => $"metric_{i:D2}").ToArray();
        var iterations = Calibrate();

        Run(sink, names, iterations, 300, publish: true);
        await sink.FlushAsync(CancellationToken.None);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var (baseline, _) = Run(sink, names, iterations, steps, publish: false);
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        var gc0 = GC.CollectionCount(0);
        var (withMetrics, publishTicks) = Run(sink, names, iterations, steps, publish: true);
        await sink.FlushAsync(CancellationToken.None);
        var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        var gcs = GC.CollectionCount(0) - gc0;
        await sink.DisposeAsync();
        var extraCpuUs = ((cpu2 - cpu1) - (cpu1 - cpu0)).TotalMicroseconds / steps;

        static double Us(double ticks) => ticks * 1e6 / Stopwatch.Frequency;
        var sorted = publishTicks.Order().ToArray();
        var baselineUs = Us(baseline.Average());
        var withUs = Us(withMetrics.Average());
        var publishUs = Us(publishTicks.Average());
        Console.WriteLine($"metrics: {steps} steps x {MetricsPerStep} metrics, sink sending every {metricsOptions.FlushInterval.TotalSeconds:F0} s to {target}");
        Console.WriteLine($"  step without metrics: mean {baselineUs:F0} us; with metrics: mean {withUs:F0} us");
        Console.WriteLine($"  build+publish 20 points: mean {publishUs:F2} us, median {Us(sorted[sorted.Length / 2]):F2} us, p99 {Us(sorted[(int)(sorted.Length * 0.99)]):F2} us");
        Console.WriteLine($"  publisher share of step time: {100 * publishUs / baselineUs:F3} % inside Publish; {100 * (withUs - baselineUs) / baselineUs:F2} % whole-step change (noise included) (limit 1 %)");
        Console.WriteLine($"  process CPU added per step (Publish + background batching, JSON, signing, HTTP): {extraCpuUs:F1} us = {100 * extraCpuUs / baselineUs:F2} % of a step; gen0 GCs: {gcs}");
        Console.WriteLine($"  sent {sink.SentPoints} points, dropped {sink.DroppedPoints}, refused {sink.InvalidPoints}");
    }

    private static (long[] Steps, long[] Publish) Run(CloudWatchMetricsSink sink, string[] names, int iterations, int steps, bool publish)
    {
        var stepTicks = new long[steps];
        var publishTicks = new long[steps];
        var value = 0.0;
        for (var step = 0; step < steps; step++)
        {
            var start = Stopwatch.GetTimestamp();
            value += SyntheticStep(step, iterations);
            var before = Stopwatch.GetTimestamp();
            if (publish)
            {
                var now = DateTimeOffset.UtcNow;
                var points = new MetricPoint[MetricsPerStep];
                for (var i = 0; i < MetricsPerStep; i++) points[i] = new MetricPoint(names[i], value + i, MetricUnit.None, now, null, step);
                sink.Publish(points);
            }

            var end = Stopwatch.GetTimestamp();
            publishTicks[step] = end - before;
            stepTicks[step] = end - start;
        }

        return (stepTicks, publishTicks);
    }

    // The median of many short probes, so a probe slowed by another process on the machine does not skew the size.
    private static int Calibrate()
    {
        const int probe = 200_000;
        for (var i = 0; i < 20; i++) SyntheticStep(i, probe);
        var times = new double[101];
        for (var i = 0; i < times.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            SyntheticStep(i, probe);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(times);
        return (int)(probe * TargetStep.TotalSeconds / times[times.Length / 2]);
    }

    // Stands in for a forward/backward pass: a dependent chain of floating-point operations. Never inlined, like the
    // native call it stands for: inlined into Run's on-stack-replacement code it ran 2.5x slower in one phase only.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double SyntheticStep(int seed, int iterations)
    {
        var acc = seed * 1e-9;
        for (var i = 0; i < iterations; i++) acc = (acc * 1.0000001) + 1e-12;
        return acc;
    }

    /// <summary>Answers every request with an empty JSON object at once.</summary>
    private sealed class InstantHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{}") });
    }
}
