using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using TrainingWorkers.Engine.Tests;
using Xunit;

// The engine tests run in this process, one at a time, as xunit would run them (a new instance of the
// class per test, Dispose after), for a machine with a runtime but no SDK to run `dotnet test`.
// xunit's own runner needs the SDK; this one knows only what the engine tests use: [Fact] and its
// subclasses (their Skip says why), [Theory] with [InlineData], constructors without parameters.
//   TrainingWorkers.DeviceTests [substring of Class.Method ...]   exit code: 0 all passed, 1 a failure
var filters = args;
var assembly = typeof(GpuFactAttribute).Assembly;
var tests = assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true })
    .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => (Type: t, Method: m)))
    .Where(x => x.Method.GetCustomAttribute<FactAttribute>() is not null)
    .Where(x => filters.Length == 0 || filters.Any(f => $"{x.Type.Name}.{x.Method.Name}".Contains(f, StringComparison.Ordinal)))
    .OrderBy(x => x.Type.FullName, StringComparer.Ordinal).ThenBy(x => x.Method.Name, StringComparer.Ordinal)
    .ToList();

int passed = 0, failed = 0, skipped = 0;
foreach (var (type, method) in tests)
{
    var fact = method.GetCustomAttribute<FactAttribute>()!;
    var name = $"{type.Name}.{method.Name}";
    if (fact.Skip is { } reason)
    {
        skipped++;
        Console.WriteLine($"SKIP {name}: {reason}");
        continue;
    }

    var cases = fact is TheoryAttribute
        ? method.GetCustomAttributes<InlineDataAttribute>().SelectMany(d => d.GetData(method)).ToList()
        : [[]];
    foreach (var arguments in cases)
    {
        var label = arguments.Length == 0 ? name : $"{name}({string.Join(", ", arguments)})";
        var clock = Stopwatch.StartNew();
        try
        {
            await RunAsync(type, method, arguments);
            passed++;
            Console.WriteLine($"PASS {label} [{clock.Elapsed.TotalSeconds:F1} s]");
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"FAIL {label} [{clock.Elapsed.TotalSeconds:F1} s]{Environment.NewLine}{e}");
        }
    }
}

Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 && passed > 0 ? 0 : 1;

static async Task RunAsync(Type type, MethodInfo method, object?[] arguments)
{
    var instance = Activator.CreateInstance(type)!;
    try
    {
        var result = method.Invoke(instance, arguments);
        if (result is Task task) await task;
    }
    catch (TargetInvocationException e) when (e.InnerException is not null)
    {
        ExceptionDispatchInfo.Throw(e.InnerException);
    }
    finally
    {
        if (instance is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else (instance as IDisposable)?.Dispose();
    }
}
