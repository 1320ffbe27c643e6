using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

public class GradientAccumulationSpecTests
{
    private static string Spec(string value) =>
        $$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "x" }, "training": { "gradient_accumulation_steps": {{value}} } }""";

    [Fact]
    public void Parse_NoAccumulation_DefaultsToOne() =>
        Assert.Equal(1, JobSpecParser.Parse("""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "x" } }""").Training.GradientAccumulationSteps);

    [Fact]
    public void Parse_Accumulation_IsRead() => Assert.Equal(4, JobSpecParser.Parse(Spec("4")).Training.GradientAccumulationSteps);

    [Theory]
    [InlineData("0", "training.gradient_accumulation_steps: must be between 1 and 1024, got 0")]
    [InlineData("1025", "training.gradient_accumulation_steps: must be between 1 and 1024, got 1025")]
    [InlineData("2.5", "training.gradient_accumulation_steps: must be an integer")]
    public void Parse_BadAccumulation_IsRejected(string value, string expected) =>
        Assert.Contains(Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse(Spec(value))).Errors.Select(e => e.ToString()),
            e => e.StartsWith(expected, StringComparison.Ordinal));
}
