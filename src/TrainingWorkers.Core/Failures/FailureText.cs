namespace TrainingWorkers.Core.Failures;

/// <summary>Keeps what a failure echoes back (a name, a value, a message) to a bounded size.</summary>
public static class FailureText
{
    /// <summary>The most characters of a user's name or value that an error repeats.</summary>
    public const int MaxName = 200;

    /// <summary>The most characters of a failure's message that are recorded and shown.</summary>
    public const int MaxMessage = 2000;

    /// <summary><paramref name="text"/>, cut to <paramref name="max"/> characters with a note of how much was left out.</summary>
    public static string Bound(string text, int max)
    {
        if (text.Length <= max) return text;
        var keep = max;
        // Never cut a surrogate pair in half: the result must stay valid UTF-16 (and so encodable as JSON).
        if (char.IsHighSurrogate(text[keep - 1])) keep--;
        return $"{text[..keep]}... ({text.Length - keep} more characters)";
    }
}
