namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The test's reader of EnvironmentFile= against the cases of systemd's own test (src/test/test-env-file.c): the
/// environment-file contract is only as good as this reader's agreement with systemd.
/// </summary>
public sealed class SystemdEnvironmentFileTests
{
    [Theory]
    [InlineData("a=a\n", "a")]
    [InlineData("a=  b c  \n", "b c")]
    [InlineData("a='b c $d \\e \"f\"'\n", "b c $d \\e \"f\"")]
    [InlineData("a=\"b \\\"c\\\" \\$d \\e\"\n", "b \"c\" $d \\e")]
    [InlineData("a=b\\\nc\n", "bc")]
    [InlineData("a=b\\c\n", "bc")]
    [InlineData("a=b # not a comment\n", "b # not a comment")]
    [InlineData("a=", "")]
    public void Parse_OneAssignment_ReadsTheValueAsSystemdDoes(string text, string value)
    {
        Assert.Equal([new("a", value)], SystemdEnvironmentFile.Parse(text));
    }

    [Fact]
    public void Parse_CommentsInvalidNamesAndRepeats_AreHandledAsSystemdDoes()
    {
        var parsed = SystemdEnvironmentFile.Parse("# c=1\n; d=2\n1x=3\nbad-name=4\nno equals\ne=5\nf=6\ne=7\n");

        Assert.Equal([new("f", "6"), new("e", "7")], parsed);
    }
}
