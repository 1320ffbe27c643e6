namespace TrainingWorkers.Core.Failures;

/// <summary>
/// Bad job input: the spec, its data, a model file, fine-tune weights, the device or the precision. Names
/// the field of the spec (<c>data.train</c>, <c>model.path</c>), the file when there is one, and the rule.
/// A job that throws it fails on its first attempt and is never retried.
/// </summary>
public class JobInputException : Exception
{
    public JobInputException(string field, string rule, string? file = null, Exception? inner = null)
        : this(field, rule, file, Describe(field, rule, file), inner)
    {
    }

    /// <summary>For subclasses that word the whole message themselves.</summary>
    protected JobInputException(string field, string rule, string? file, string message, Exception? inner)
        : base(message, inner)
    {
        Field = field;
        Rule = rule;
        File = file;
    }

    /// <summary>The spec field at fault, as a JSON path (<c>$</c> for the whole spec).</summary>
    public string Field { get; }

    /// <summary>The file at fault (with <c>:line</c> where there is one), or null.</summary>
    public string? File { get; }

    /// <summary>The rule the input broke, in words.</summary>
    public string Rule { get; }

    private static string Describe(string field, string rule, string? file) =>
        file is null ? $"{field}: {rule}" : $"{field}: {FailureText.Bound(file, FailureText.MaxName)}: {rule}";
}
