using System.Diagnostics;

namespace Keypod.Bench;

/// <summary>
/// A fixed number of requests at a fixed concurrency, alternating streaming and non-streaming, each read to its end:
/// a stream must finish with <c>[DONE]</c>, a body with its closing brace. Counts what completed and what failed.
/// </summary>
static class LoadProbe
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var target = Target.Parse(args).Single();
        var total = args.GetInt("requests", 100_000);
        var concurrency = args.GetInt("concurrency", 64);
        var streamBody = Target.ChatBody(stream: true, gapMs: 1, events: 4);
        var plainBody = Target.ChatBody(stream: false);
        using var client = Target.NewClient(concurrency);

        var next = -1;
        var completed = 0;
        var streams = 0;
        var errors = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();

        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) is var index && index < total)
            {
                var stream = index % 2 == 0;
                try
                {
                    using var request = target.NewRequest(stream ? streamBody : plainBody);
                    using var response = await client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var whole = response.IsSuccessStatusCode && (stream ? text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) : text.TrimEnd().EndsWith('}'));
                    if (!whole)
                    {
                        throw new InvalidOperationException($"{(int)response.StatusCode}: {text[..Math.Min(200, text.Length)]}");
                    }
                    Interlocked.Increment(ref completed);
                    if (stream)
                    {
                        Interlocked.Increment(ref streams);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, exception.Message, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Results.Append(args, ("load_sent", total), ("load_concurrency", concurrency), ("load_completed", completed), ("load_streams", streams),
            ("load_errors", errors), ("load_seconds", seconds), ("load_rps", total / seconds));
        if (firstError is not null)
        {
            Console.Error.WriteLine("first error: " + firstError);
        }
        return errors == 0 ? 0 : 1;
    }
}
