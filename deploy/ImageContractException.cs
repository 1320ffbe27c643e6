namespace TrainingWorkers.Deploy;

/// <summary>
/// A file of the worker's image (ami/) breaks a rule the fleet stack relies on: names the file, the field in it
/// and the rule. The stack is synthesized from these files, so the two are fixed together or not at all.
/// </summary>
internal sealed class ImageContractException(string file, string field, string rule)
    : Exception($"{file}: {field}: {rule}")
{
    public string File { get; } = file;

    public string Field { get; } = field;
}
