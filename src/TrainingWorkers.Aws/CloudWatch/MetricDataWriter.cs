using System.Buffers;
using System.Text.Json;

namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>
/// Writes a PutMetricData body by hand: the sink sends thousands of datums a second that share one dimension
/// set, so the dimensions are encoded once per batch and each datum costs a few writer calls instead of a
/// reflection-based serialization.
/// </summary>
internal static class MetricDataWriter
{
    private static readonly JsonEncodedText Namespace = JsonEncodedText.Encode("Namespace");
    private static readonly JsonEncodedText MetricData = JsonEncodedText.Encode("MetricData");
    private static readonly JsonEncodedText MetricName = JsonEncodedText.Encode("MetricName");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("Value");
    private static readonly JsonEncodedText Unit = JsonEncodedText.Encode("Unit");
    private static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("Timestamp");
    private static readonly JsonEncodedText Dimensions = JsonEncodedText.Encode("Dimensions");
    private static readonly JsonEncodedText StorageResolution = JsonEncodedText.Encode("StorageResolution");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("Name");

    public static byte[] Write(string metricNamespace, IReadOnlyList<MetricDatum> data)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (data.Count * 200));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(Namespace, metricNamespace);
            json.WriteStartArray(MetricData);
            IReadOnlyList<CloudWatchDimension>? lastDimensions = null;
            byte[] encodedDimensions = [];
            foreach (var d in data)
            {
                json.WriteStartObject();
                json.WriteString(MetricName, d.MetricName);
                json.WriteNumber(Value, d.Value);
                json.WriteString(Unit, d.Unit);
                json.WriteNumber(Timestamp, d.Timestamp);
                json.WriteNumber(StorageResolution, d.StorageResolution);
                if (d.Dimensions is { Count: > 0 } dims)
                {
                    if (!ReferenceEquals(dims, lastDimensions))
                    {
                        encodedDimensions = EncodeDimensions(dims);
                        lastDimensions = dims;
                    }

                    json.WritePropertyName(Dimensions);
                    json.WriteRawValue(encodedDimensions, skipInputValidation: true);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EncodeDimensions(IReadOnlyList<CloudWatchDimension> dims)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * dims.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var dim in dims)
            {
                json.WriteStartObject();
                json.WriteString(Name, dim.Name);
                json.WriteString(Value, dim.Value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
