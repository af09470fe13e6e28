using System.Diagnostics;
using System.Globalization;

namespace Keypod.Bench;

/// <summary>
/// Holds many streams open at once through one target and samples the proxy's resident memory while they are.
/// Every stream must end with its usage chunk and <c>[DONE]</c>.
/// </summary>
static class OpenStreamsProbe
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var target = Target.Parse(args).Single();
        var count = args.GetInt("count", 2000);
        var gapMs = args.GetInt("gap-ms", 1000);
        var events = args.GetInt("events", 8);
        var pid = args.GetInt("pid", 0);
        var rampPerStep = args.GetInt("ramp", 200);
        var body = Target.ChatBody(stream: true, gapMs, events);
        using var client = Target.NewClient();

        var open = 0;
        var finished = 0;
        var ok = 0;
        var errors = 0;
        var peakConcurrent = 0;
        string? firstError = null;
        var baselineRss = ReadRssMb(pid);
        var peakRss = baselineRss;
        var started = Stopwatch.GetTimestamp();
        double allOpenMs = -1;
        double rssAtAllOpen = -1;

        async Task OneAsync()
        {
            var counted = false;
            try
            {
                using var request = target.NewRequest(body);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var content = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[8192];
                var tail = "";
                var sawUsage = false;
                var sawDone = false;
                while (true)
                {
                    var read = await content.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }
                    if (!counted)
                    {
                        counted = true;
                        var now = Interlocked.Increment(ref open) - Volatile.Read(ref finished);
                        InterlockedMax(ref peakConcurrent, now);
                    }
                    // Only the last few hundred bytes matter for spotting the usage chunk and [DONE].
                    var text = tail + System.Text.Encoding.UTF8.GetString(buffer, 0, read);
                    sawUsage |= text.Contains("\"usage\"", StringComparison.Ordinal);
                    sawDone |= text.Contains("data: [DONE]", StringComparison.Ordinal);
                    tail = text.Length > 64 ? text[^64..] : text;
                }
                if (sawUsage && sawDone)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    throw new InvalidOperationException($"stream ended without usage ({sawUsage}) or [DONE] ({sawDone})");
                }
            }
            catch (Exception exception)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, exception.GetType().Name + ": " + exception.Message, null);
            }
            finally
            {
                Interlocked.Increment(ref finished);
            }
        }

        var tasks = new List<Task>(count);
        var monitor = Task.Run(async () =>
        {
            while (Volatile.Read(ref finished) < count)
            {
                var rss = ReadRssMb(pid);
                peakRss = Math.Max(peakRss, rss);
                if (allOpenMs < 0 && Volatile.Read(ref open) >= count)
                {
                    allOpenMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    rssAtAllOpen = rss;
                }
                await Task.Delay(100);
            }
        });
        for (var i = 0; i < count; i++)
        {
            tasks.Add(Task.Run(OneAsync));
            if ((i + 1) % rampPerStep == 0)
            {
                await Task.Delay(100);
            }
        }
        await Task.WhenAll(tasks);
        await monitor;

        Results.Append(args,
            ("streams_count", count),
            ("streams_ok", ok),
            ("streams_errors", errors),
            ("streams_peak_concurrent", peakConcurrent),
            ("streams_all_open_ms", allOpenMs),
            ("streams_duration_s", Stopwatch.GetElapsedTime(started).TotalSeconds),
            ("streams_rss_baseline_mb", baselineRss),
            ("streams_rss_all_open_mb", rssAtAllOpen),
            ("streams_rss_peak_mb", peakRss));
        if (firstError is not null)
        {
            Console.Error.WriteLine("first stream error: " + firstError);
        }
        return errors == 0 ? 0 : 1;
    }

    static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current && Interlocked.CompareExchange(ref location, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    /// <summary>VmRSS of a process in MB, from /proc.</summary>
    public static double ReadRssMb(int pid)
    {
        if (pid <= 0)
        {
            return double.NaN;
        }
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }
        return double.NaN;
    }
}
