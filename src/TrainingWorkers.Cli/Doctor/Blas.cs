using System.Text.Json.Nodes;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// Which BLAS libtorch got, read from this process's memory map once libtorch is loaded. Debian's libtorch
/// takes whichever libblas.so.3 the alternatives system points at; the reference one is ~13x slower than
/// OpenBLAS. A pip or Deep Learning AMI libtorch carries MKL inside itself and maps no shared BLAS.
/// </summary>
internal static class Blas
{
    public static DoctorCheck Check() => Classify(MappedLibraries("/proc/self/maps"));

    internal static DoctorCheck Classify(IReadOnlyCollection<string> libraries)
    {
        var details = new JsonObject { ["libraries"] = new JsonArray(libraries.Select(l => (JsonNode)l).ToArray()) };
        if (libraries.FirstOrDefault(l => l.Contains("openblas", StringComparison.OrdinalIgnoreCase)) is { } openblas)
        {
            return DoctorCheck.Ok("blas", $"OpenBLAS ({openblas})", details);
        }

        if (libraries.FirstOrDefault(l => l.Contains("mkl", StringComparison.OrdinalIgnoreCase)) is { } mkl) return DoctorCheck.Ok("blas", $"MKL ({mkl})", details);
        if (libraries.FirstOrDefault(l => Path.GetFileName(l).StartsWith("libblas.so", StringComparison.Ordinal)) is { } reference)
        {
            return DoctorCheck.Warn("blas", $"the reference BLAS ({reference}): matrix products ~13x slower; install libopenblas0-openmp", details);
        }

        return DoctorCheck.Ok("blas", "no shared BLAS mapped: libtorch's own (MKL in pip and AMI builds)", details);
    }

    private static List<string> MappedLibraries(string maps)
    {
        if (!File.Exists(maps)) return [];
        return File.ReadLines(maps)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].StartsWith('/'))
            .Select(f => f[5])
            .Where(p => Path.GetFileName(p) is var n && (n.Contains("blas", StringComparison.OrdinalIgnoreCase) || n.Contains("mkl", StringComparison.OrdinalIgnoreCase)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
