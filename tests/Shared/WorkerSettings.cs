using System.Reflection;
using TrainingWorkers.Aws;
using TrainingWorkers.Worker;

namespace TrainingWorkers.Testing;

/// <summary>
/// The worker's settings as the image and the fleet name them: <c>TW_Worker__HealthPort</c> is <c>Worker:HealthPort</c>,
/// a property of <see cref="WorkerOptions"/>; <c>TW_Aws__S3__AllowedPrefixes__0</c> the first entry of
/// <see cref="S3Options.AllowedPrefixes"/>. Matched as the configuration binder binds: property names without regard
/// to case, a list takes an index, and the path ends on a value (a number, text, a duration, an enum), not a section.
/// </summary>
internal static class WorkerSettings
{
    /// <summary>Not worker settings, but read by the worker's unit: tw doctor's requirements.</summary>
    public const string DoctorArguments = "TW_DOCTOR_ARGS";

    /// <summary>The prefix of the variables the worker reads (its Program.cs).</summary>
    public const string Prefix = "TW_";

    /// <summary>The property a TW_ variable sets, or null when the worker has no such setting.</summary>
    public static PropertyInfo? Find(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var path = variable[Prefix.Length..].Split("__");
        Type? type = path[0].ToUpperInvariant() switch
        {
            "WORKER" => typeof(WorkerOptions),
            "AWS" => typeof(AwsOptions),
            _ => null,
        };
        PropertyInfo? property = null;
        for (var i = 1; i < path.Length; i++)
        {
            if (type is null) return null;
            // A list's index (AllowedPrefixes__0) stays on the list's property and binds its element.
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(path[i], out _)) return null;
                type = type.GetGenericArguments()[0];
                continue;
            }

            property = type.GetProperty(path[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            // A section (a class) is filled in place; a value needs a setter.
            if (property is null || (!property.CanWrite && (!property.PropertyType.IsClass || i == path.Length - 1))) return null;
            type = property.PropertyType;
        }

        return property is not null && type is not null && IsValue(type) ? property : null;
    }

    public static void AssertAllExist(IEnumerable<string> variables, string where)
    {
        var unknown = variables.Where(v => v != DoctorArguments && Find(v) is null).ToList();
        Assert.True(unknown.Count == 0, $"{where} sets what the worker does not read: {string.Join(", ", unknown)}");
    }

    private static bool IsValue(Type type) =>
        type.IsPrimitive || type == typeof(string) || type == typeof(Uri) || type == typeof(TimeSpan) || type.IsEnum || Nullable.GetUnderlyingType(type) is not null;
}
