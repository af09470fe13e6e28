using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;

namespace Keypod.Bench;

/// <summary>
/// A fast stand-in for OpenRouter: a captured-shape chat completion (with usage.cost) for plain requests, and for
/// <c>"stream":true</c> an SSE stream whose events are written and flushed one by one, <c>bench_gap_ms</c> apart.
/// </summary>
static class FakeUpstream
{
    const string GenerationId = "gen-1764926476-0N0195qHFzGljvYKVijc";

    static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        "{\"id\":\"" + GenerationId + "\",\"provider\":\"OpenAI\",\"model\":\"openai/gpt-4o-mini\"," +
        "\"object\":\"chat.completion\",\"created\":1764926476,\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"," +
        "\"native_finish_reason\":\"stop\",\"logprobs\":null,\"message\":{\"role\":\"assistant\",\"content\":" +
        "\"Hello! I am a benchmark response of a realistic size, long enough to look like a short answer from a small model.\"," +
        "\"refusal\":null,\"reasoning\":null}}],\"system_fingerprint\":\"fp_aa07c96156\",\"usage\":{\"prompt_tokens\":29," +
        "\"completion_tokens\":33,\"total_tokens\":62,\"cost\":0.00002415,\"is_byok\":false,\"prompt_tokens_details\":" +
        "{\"cached_tokens\":0,\"cache_write_tokens\":0,\"audio_tokens\":0},\"cost_details\":{\"upstream_inference_cost\":null," +
        "\"upstream_inference_prompt_cost\":0.00000435,\"upstream_inference_completions_cost\":0.0000198}," +
        "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"image_tokens\":0}}}");

    const string ChunkHead = "data: {\"id\":\"" + GenerationId + "\",\"object\":\"chat.completion.chunk\",\"created\":1764926476," +
        "\"model\":\"openai/gpt-4o-mini\",\"provider\":\"OpenAI\",";

    static readonly byte[] FirstEvents = Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n" + ChunkHead +
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"role\":\"assistant\"},\"finish_reason\":null,\"native_finish_reason\":null}]}\n\n");

    static readonly byte[] ContentEvent = Encoding.UTF8.GetBytes(ChunkHead +
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\",\"role\":\"assistant\"},\"finish_reason\":null,\"native_finish_reason\":null}]}\n\n");

    static readonly byte[] FinishEvent = Encoding.UTF8.GetBytes(ChunkHead +
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"role\":\"assistant\"},\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\"}]}\n\n");

    static readonly byte[] UsageEvent = Encoding.UTF8.GetBytes(ChunkHead +
        "\"choices\":[],\"usage\":{\"prompt_tokens\":29,\"completion_tokens\":33,\"total_tokens\":62,\"cost\":0.00002415," +
        "\"is_byok\":false,\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0,\"audio_tokens\":0}," +
        "\"cost_details\":{\"upstream_inference_cost\":null,\"upstream_inference_prompt_cost\":0.00000435," +
        "\"upstream_inference_completions_cost\":0.0000198},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"image_tokens\":0}}}\n\n");

    static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    public static async Task<int> RunAsync(Arguments args)
    {
        var app = BenchServer.Create(args.GetInt("port", 47181), HandleAsync, inlineScheduling: true);
        await app.RunAsync();
        return 0;
    }

    static async Task HandleAsync(HttpContext context)
    {
        var body = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int length;
        try
        {
            length = await ReadBodyAsync(context.Request.Body, body, context.RequestAborted);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            ArrayPool<byte>.Shared.Return(body);
            return;
        }
        var request = body.AsSpan(0, length);
        var stream = request.IndexOf("\"stream\":true"u8) >= 0;
        var gapMs = ReadNumber(request, "\"bench_gap_ms\":"u8, 10);
        var events = ReadNumber(request, "\"bench_events\":"u8, 6);
        ArrayPool<byte>.Shared.Return(body);

        context.Response.Headers["X-Generation-Id"] = GenerationId;
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Completion.Length;
            await context.Response.Body.WriteAsync(Completion, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await WriteEventAsync(context, FirstEvents);
            for (var i = 0; i < events; i++)
            {
                await Task.Delay(gapMs, context.RequestAborted);
                await WriteEventAsync(context, ContentEvent);
            }
            foreach (var last in new[] { FinishEvent, UsageEvent, DoneEvent })
            {
                await Task.Delay(gapMs, context.RequestAborted);
                await WriteEventAsync(context, last);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
        }
    }

    static async Task WriteEventAsync(HttpContext context, byte[] bytes)
    {
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    static async Task<int> ReadBodyAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        return length;
    }

    static int ReadNumber(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key, int fallback)
    {
        var at = json.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(json[(at + key.Length)..], out int value, out _) ? value : fallback;
    }
}
