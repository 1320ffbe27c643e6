using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

public class MixedPrecisionSpecTests
{
    private static string Spec(string training) =>
        $$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "x" }, "training": {{training}} }""";

    private static IReadOnlyList<string> Errors(string training) =>
        Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse(Spec(training))).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Parse_NoPrecision_IsFp32WithCudnnBenchmark()
    {
        var training = JobSpecParser.Parse(Spec("{}")).Training;
        Assert.Equal(Precision.Fp32, training.Precision);
        Assert.True(training.CudnnBenchmark);
    }

    [Theory]
    [InlineData("""{ "precision": "fp32" }""", Precision.Fp32)]
    [InlineData("""{ "precision": "bf16", "device": "cpu" }""", Precision.Bf16)]
    [InlineData("""{ "precision": "bf16", "device": "cuda" }""", Precision.Bf16)]
    [InlineData("""{ "precision": "fp16", "device": "cuda:1" }""", Precision.Fp16)]
    // auto may find no GPU at run time: the trainer refuses fp16 then.
    [InlineData("""{ "precision": "fp16" }""", Precision.Fp16)]
    public void Parse_Precision_IsRead(string training, Precision expected) =>
        Assert.Equal(expected, JobSpecParser.Parse(Spec(training)).Training.Precision);

    [Fact]
    public void Parse_CudnnBenchmarkOff_IsRead() =>
        Assert.False(JobSpecParser.Parse(Spec("""{ "cudnn_benchmark": false }""")).Training.CudnnBenchmark);

    [Theory]
    [InlineData("""{ "precision": "fp16", "device": "cpu" }""", "training.precision: fp16 needs a CUDA device (training.device is cpu): use bf16 or fp32 on cpu")]
    [InlineData("""{ "precision": "fp8" }""", "training.precision: must be one of fp32, bf16, fp16, got 'fp8'")]
    [InlineData("""{ "precision": "FP16" }""", "training.precision: must be one of fp32, bf16, fp16, got 'FP16'")]
    [InlineData("""{ "precision": 16 }""", "training.precision: must be a string, got 16")]
    [InlineData("""{ "cudnn_benchmark": "yes" }""", "training.cudnn_benchmark: must be true or false, got the string \"yes\"")]
    public void Parse_BadPrecisionSetting_IsRejected(string training, string expected) =>
        Assert.Contains(expected, Errors(training));

    [Fact]
    public void Parse_Fp16OnCpuAndAnotherMistake_ReportsBoth()
    {
        var errors = Errors("""{ "precision": "fp16", "device": "cpu", "batch_size": 0 }""");
        Assert.Contains("training.precision: fp16 needs a CUDA device (training.device is cpu): use bf16 or fp32 on cpu", errors);
        Assert.Contains("training.batch_size: must be between 1 and 1048576, got 0", errors);
        Assert.Equal(2, errors.Count);
    }
}
