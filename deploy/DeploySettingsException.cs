namespace TrainingWorkers.Deploy;

/// <summary>A CDK context value the app cannot synthesize with: names the key, the rule and the value given.</summary>
internal sealed class DeploySettingsException(string key, string rule, string value)
    : Exception($"context '{key}': must be {rule}, got '{value}'")
{
    public string Key { get; } = key;
}
