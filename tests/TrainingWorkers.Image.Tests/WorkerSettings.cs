using System.Collections;
using System.Reflection;
using TrainingWorkers.Aws;
using TrainingWorkers.Worker;

namespace TrainingWorkers.Image.Tests;

/// <summary>
/// The worker's settings as the image names them: <c>TW_Worker__HealthPort</c> is <c>Worker:HealthPort</c>, a
/// property of <see cref="WorkerOptions"/>; <c>TW_Aws__S3__AllowedPrefixes__0</c> the first entry of
/// <see cref="S3Options.AllowedPrefixes"/>. Matched without regard to case, as the configuration binder does.
/// </summary>
internal static class WorkerSettings
{
    /// <summary>Not worker settings, but read by the worker's unit: tw doctor's requirements.</summary>
    public const string DoctorArguments = "TW_DOCTOR_ARGS";

    /// <summary>The property a TW_ variable sets, or null when the worker has no such setting.</summary>
    public static PropertyInfo? Find(string variable)
    {
        if (!variable.StartsWith("TW_", StringComparison.Ordinal)) return null;
        var path = variable[3..].Split("__");
        Type? type = path[0].ToUpperInvariant() switch
        {
            "WORKER" => typeof(WorkerOptions),
            "AWS" => typeof(AwsOptions),
            _ => null,
        };
        PropertyInfo? property = null;
        foreach (var part in path.Skip(1))
        {
            if (type is null) return null;
            // A list's index (AllowedPrefixes__0) stays on the list's property.
            if (property is not null && typeof(IList).IsAssignableFrom(property.PropertyType) && int.TryParse(part, out _)) continue;
            property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null) return null;
            type = property.PropertyType;
        }

        return property;
    }

    public static void AssertAllExist(IEnumerable<string> variables, string where)
    {
        var unknown = variables.Where(v => v != DoctorArguments && Find(v) is null).ToList();
        Assert.True(unknown.Count == 0, $"{where} sets what the worker does not read: {string.Join(", ", unknown)}");
    }
}
