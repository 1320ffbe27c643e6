using System.Reflection;
using System.Reflection.Emit;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The AWS operations compiled code calls, read from its IL: every call to a method of an AWS SDK client, through
/// its interface or its class (<c>IAmazonS3.GetObjectAsync</c> is S3's GetObject, <c>AmazonSQSClient.ReceiveMessageAsync</c>
/// SQS's ReceiveMessage), also inside lambdas and async state machines (compiler-made types are scanned too), and
/// every operation name handed to our own thin clients over the JSON and query protocols (the string loaded right
/// after the client's field). Reading the IL, not the source, sees what runs, whoever wrote it and however it is spelt.
/// </summary>
internal static class CodeCalls
{
    private static readonly Dictionary<short, OpCode> OpCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    // SDK method names that are not the API operation's name.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["s3:GetObjectMetadata"] = "HeadObject", ["s3:PutBucket"] = "CreateBucket", ["s3:InitiateMultipartUpload"] = "CreateMultipartUpload",
    };

    private static readonly Dictionary<string, string> SdkNamespaces = new(StringComparer.Ordinal)
    {
        ["Amazon.S3"] = "s3", ["Amazon.DynamoDBv2"] = "dynamodb", ["Amazon.SQS"] = "sqs", ["Amazon.CloudWatch"] = "cloudwatch",
        ["Amazon.CloudWatchLogs"] = "logs", ["Amazon.AutoScaling"] = "autoscaling",
    };

    // Our own thin clients (services without an SDK package here; SQS is on AWSSDK.SQS): the namespace of the class that calls one names the service.
    private static readonly Dictionary<string, string> OwnClientNamespaces = new(StringComparer.Ordinal)
    {
        ["TrainingWorkers.Aws.CloudWatch"] = "cloudwatch", ["TrainingWorkers.Aws.Logs"] = "logs",
        ["TrainingWorkers.Aws.Instance"] = "autoscaling",
    };

    /// <summary>Each (service, operation) called anywhere in <paramref name="assemblies"/>, with where.</summary>
    public static IReadOnlyDictionary<(string Service, string Operation), string> In(params Assembly[] assemblies) => In(assemblies.SelectMany(a => a.GetTypes()));

    /// <summary>Each (service, operation) called in <paramref name="types"/> (include their compiler-made nested types), with where.</summary>
    public static IReadOnlyDictionary<(string Service, string Operation), string> In(IEnumerable<Type> types)
    {
        var found = new Dictionary<(string, string), string>();
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
            {
                foreach (var call in Scan(method)) found.TryAdd(call, $"{type.FullName}.{method.Name}");
            }
        }

        return found;
    }

    private static IEnumerable<(string, string)> Scan(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var previousWasClientField = false;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodes[value];
            var operand = at;
            at += OperandSize(op, il, at);
            var token = op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineString ? BitConverter.ToInt32(il, operand) : 0;
            if (op == System.Reflection.Emit.OpCodes.Ldstr && previousWasClientField)
            {
                var ns = method.DeclaringType?.Namespace ?? "";
                if (OwnClientNamespaces.TryGetValue(ns, out var service)) yield return (service, module.ResolveString(token));
            }

            previousWasClientField = false;
            if (op.OperandType == OperandType.InlineField && Resolve(() => module.ResolveField(token, typeArgs, methodArgs)) is { } field)
            {
                previousWasClientField = field.FieldType.Name is "AwsJsonClient" or "AwsQueryClient";
            }
            else if (op.OperandType == OperandType.InlineMethod && Resolve(() => module.ResolveMethod(token, typeArgs, methodArgs)) is { } called
                && called.DeclaringType is { Namespace: { } calledNs } declaring && called.Name.EndsWith("Async", StringComparison.Ordinal)
                && SdkNamespaces.TryGetValue(calledNs, out var sdk) && (declaring.IsInterface || declaring.Name.EndsWith("Client", StringComparison.Ordinal)))
            {
                var name = called.Name[..^"Async".Length];
                yield return (sdk, Aliases.GetValueOrDefault($"{sdk}:{name}", name));
            }
        }
    }

    private static T? Resolve<T>(Func<T?> resolve)
        where T : class
    {
        try
        {
            return resolve();
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (BitConverter.ToInt32(il, at) * 4),
        _ => 4,
    };
}
