using System.Globalization;

namespace Keypod.Bench;

/// <summary><c>--name value</c> pairs after the verb.</summary>
sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        return new Arguments(values);
    }

    public string Get(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int GetInt(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}

static class Results
{
    /// <summary>Appends <c>key=value</c> lines to the run's results file (and echoes them).</summary>
    public static void Append(Arguments args, params (string Key, object Value)[] pairs)
    {
        var lines = pairs.Select(p => p.Key + "=" + Format(p.Value)).ToArray();
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
        if (args.Get("results", "") is { Length: > 0 } path)
        {
            File.AppendAllLines(path, lines);
        }
    }

    static string Format(object value) => value switch
    {
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
