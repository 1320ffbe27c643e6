namespace TrainingWorkers.Image.Tests;

/// <summary>A Dockerfile as a list of instructions (continuation lines joined, comments dropped), split into its build stages.</summary>
internal sealed record Dockerfile(IReadOnlyList<Dockerfile.Instruction> Instructions)
{
    public sealed record Instruction(string Keyword, string Arguments);

    public static Dockerfile Load(string path)
    {
        var instructions = new List<Instruction>();
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = (pending + line).Trim();
            pending = "";
            if (text.Length == 0) continue;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
        }

        return new Dockerfile(instructions);
    }

    /// <summary>The stages, each from its FROM to the next; the last one is the image.</summary>
    public IReadOnlyList<IReadOnlyList<Instruction>> Stages()
    {
        var stages = new List<List<Instruction>>();
        foreach (var i in Instructions)
        {
            if (i.Keyword == "FROM") stages.Add([]);
            if (stages.Count > 0) stages[^1].Add(i);
        }

        return stages;
    }

    /// <summary>The ENV assignments of a stage (NAME=VALUE pairs, several per instruction).</summary>
    public static Dictionary<string, string> Environment(IEnumerable<Instruction> stage) =>
        stage.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(a => a.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
}
