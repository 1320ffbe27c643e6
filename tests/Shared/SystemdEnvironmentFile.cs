using System.Text;

namespace TrainingWorkers.Testing;

/// <summary>
/// An <c>EnvironmentFile=</c> read as systemd reads it: the state machine of systemd's <c>parse_env_file_internal</c>
/// (src/basic/env-file.c), then its rule that a variable name is letters, digits and '_', not starting with a digit
/// (other assignments are dropped). Unquoted values keep interior blanks and lose outer ones; single quotes are
/// verbatim; double quotes unescape <c>" \ ` $</c>; a backslash before a line break continues the line; lines
/// starting with # or ; are comments.
/// </summary>
internal static class SystemdEnvironmentFile
{
    private const string Whitespace = " \t\n\r";
    private const string Newline = "\n\r";
    private const string ShellNeedEscape = "\"\\`$";

    private enum State { PreKey, Key, PreValue, Value, ValueEscape, SingleQuote, DoubleQuote, DoubleQuoteEscape, Comment, CommentEscape }

    /// <summary>The assignments of <paramref name="text"/> in order, a later one replacing an earlier one.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var key = new StringBuilder();
        var value = new StringBuilder();
        // Where trailing blanks of the key or of an unquoted value begin (systemd cuts them off).
        int? keyBlank = null, valueBlank = null;
        var state = State.PreKey;

        void Push(bool cutValueBlanks)
        {
            var k = keyBlank is { } kb ? key.ToString(0, kb) : key.ToString();
            var v = cutValueBlanks && valueBlank is { } vb ? value.ToString(0, vb) : value.ToString();
            if (IsValidName(k))
            {
                result.RemoveAll(kv => kv.Key == k);
                result.Add(new(k, v));
            }

            key.Clear();
            value.Clear();
            state = State.PreKey;
        }

        foreach (var c in text)
        {
            var blank = Whitespace.Contains(c);
            var newline = Newline.Contains(c);
            switch (state)
            {
                case State.PreKey:
                    if (c is '#' or ';')
                    {
                        state = State.Comment;
                    }
                    else if (!blank)
                    {
                        state = State.Key;
                        keyBlank = null;
                        key.Append(c);
                    }

                    break;
                case State.Key:
                    if (newline)
                    {
                        state = State.PreKey;
                        key.Clear();
                    }
                    else if (c == '=')
                    {
                        state = State.PreValue;
                        valueBlank = null;
                    }
                    else
                    {
                        keyBlank = blank ? keyBlank ?? key.Length : null;
                        key.Append(c);
                    }

                    break;
                case State.PreValue:
                    if (newline) Push(cutValueBlanks: false);
                    else if (c == '\'') state = State.SingleQuote;
                    else if (c == '"') state = State.DoubleQuote;
                    else if (c == '\\') state = State.ValueEscape;
                    else if (!blank)
                    {
                        state = State.Value;
                        value.Append(c);
                    }

                    break;
                case State.Value:
                    if (newline)
                    {
                        Push(cutValueBlanks: true);
                    }
                    else if (c == '\\')
                    {
                        state = State.ValueEscape;
                        valueBlank = null;
                    }
                    else
                    {
                        valueBlank = blank ? valueBlank ?? value.Length : null;
                        value.Append(c);
                    }

                    break;
                case State.ValueEscape:
                    state = State.Value;
                    // An escaped line break continues the value; any other escaped character is kept as itself.
                    if (!newline) value.Append(c);
                    break;
                case State.SingleQuote:
                    if (c == '\'') state = State.PreValue;
                    else value.Append(c);
                    break;
                case State.DoubleQuote:
                    if (c == '"') state = State.PreValue;
                    else if (c == '\\') state = State.DoubleQuoteEscape;
                    else value.Append(c);
                    break;
                case State.DoubleQuoteEscape:
                    state = State.DoubleQuote;
                    if (ShellNeedEscape.Contains(c)) value.Append(c);
                    else if (c != '\n') value.Append('\\').Append(c);
                    break;
                case State.Comment:
                    if (c == '\\') state = State.CommentEscape;
                    else if (newline) state = State.PreKey;
                    break;
                case State.CommentEscape:
                    state = newline ? State.PreKey : State.Comment;
                    break;
            }
        }

        if (state is State.PreValue or State.Value or State.ValueEscape or State.SingleQuote or State.DoubleQuote or State.DoubleQuoteEscape)
        {
            Push(cutValueBlanks: state == State.Value);
        }

        return result;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>What a unit's environment accepts as a variable name (others are dropped with a warning).</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
