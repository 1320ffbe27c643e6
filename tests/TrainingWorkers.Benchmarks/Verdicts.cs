namespace TrainingWorkers.Benchmarks;

/// <summary>
/// The outcome of a benchmark run: failed checks (the comparison itself is wrong: different model
/// or data) and missed targets (a number below what the issue asks for), turned into an exit code.
/// </summary>
internal sealed class Verdicts
{
    /// <summary>A check failed: the numbers do not compare like with like.</summary>
    public const int CheckFailed = 1;
    /// <summary>Everything compared fairly, and at least one target was not met.</summary>
    public const int TargetMissed = 2;

    private readonly List<string> _failures = [];
    private int _missed;

    public void Check(bool ok, string failure)
    {
        if (!ok) _failures.Add(failure);
    }

    public void Target(bool met)
    {
        if (!met) _missed++;
    }

    /// <summary>Prints the failures and returns the exit code.</summary>
    public int Finish()
    {
        foreach (var failure in _failures) Console.WriteLine($"CHECK FAILED: {failure}");
        if (_failures.Count > 0) return CheckFailed;
        Console.WriteLine(_missed == 0 ? "All targets met." : $"{_missed} target(s) not met.");
        return _missed == 0 ? 0 : TargetMissed;
    }
}
