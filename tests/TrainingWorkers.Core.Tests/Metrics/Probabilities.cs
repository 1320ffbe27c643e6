namespace TrainingWorkers.Core.Tests.Metrics;

/// <summary>Builds softmax-like probability rows for tests.</summary>
internal static class Probabilities
{
    /// <summary>One row per sample with most of the mass on the given class and the rest spread evenly.</summary>
    public static float[] OneHotish(int[] predicted, int classes)
    {
        var rows = new float[predicted.Length * classes];
        float rest = 0.3f / (classes - 1);
        for (int i = 0; i < predicted.Length; i++)
        {
            for (int c = 0; c < classes; c++) rows[(i * classes) + c] = c == predicted[i] ? 0.7f : rest;
        }

        return rows;
    }

    /// <summary>Two-class rows <c>[1 - s, s]</c> for positive-class scores s.</summary>
    public static float[] Binary(float[] scores)
    {
        var rows = new float[scores.Length * 2];
        for (int i = 0; i < scores.Length; i++)
        {
            rows[2 * i] = 1 - scores[i];
            rows[(2 * i) + 1] = scores[i];
        }

        return rows;
    }
}
