namespace TrainingWorkers.Testing;

/// <summary>
/// A systemd unit or environment file read as systemd reads the parts these tests need: sections, keys that
/// may repeat (Environment=, ExecStartPre=), and a command line's <c>$VAR</c> and <c>${VAR}</c> expansion.
/// </summary>
internal sealed class SystemdUnit
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    public static SystemdUnit Load(string path)
    {
        var unit = new SystemdUnit();
        var section = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new FormatException($"{path}: '{line}' is neither a section nor key=value");
            unit._entries.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }

        return unit;
    }

    public IReadOnlyList<string> Values(string section, string key) =>
        _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value).ToList();

    /// <summary>The last value of a key (a later one overrides an earlier one), or null.</summary>
    public string? Value(string section, string key) => Values(section, key).LastOrDefault();

    public string Required(string section, string key) => Value(section, key) ?? throw new InvalidOperationException($"no {key}= in [{section}]");

    /// <summary>The <c>Environment=</c> assignments, in order (a later one wins).</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment() =>
        Values("Service", "Environment").Select(Assignment);

    /// <summary>An EnvironmentFile's assignments, by systemd's own rules (<see cref="SystemdEnvironmentFile"/>).</summary>
    public static IEnumerable<KeyValuePair<string, string>> ReadEnvironmentFile(string path) => SystemdEnvironmentFile.Read(path);

    /// <summary>A command line as systemd runs it: split at blanks; <c>$VAR</c> becomes zero or more words, <c>${VAR}</c> exactly one.</summary>
    public static IReadOnlyList<string> Expand(string commandLine, IReadOnlyDictionary<string, string> environment)
    {
        var words = new List<string>();
        foreach (var word in commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith("${", StringComparison.Ordinal) && word.EndsWith('}')) words.Add(environment.GetValueOrDefault(word[2..^1], ""));
            else if (word.StartsWith('$')) words.AddRange(environment.GetValueOrDefault(word[1..], "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            else words.Add(word);
        }

        return words;
    }

    private static KeyValuePair<string, string> Assignment(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new FormatException($"'{text}' is not NAME=VALUE");
        var value = text[(eq + 1)..];
        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0]) value = value[1..^1];
        return new(text[..eq], value);
    }
}
