using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keypod.Tests.Infrastructure;

/// <summary>A request as the fake upstream received it.</summary>
public sealed record UpstreamRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A faithful fake of OpenRouter on a real Kestrel socket. It replays the captures in ../shared/fixtures/openrouter:
/// a request carrying <c>X-Fake-Fixture: stream/….sse</c> (or <c>chat/….json</c>, <c>errors/….json</c>) gets that capture's
/// bytes, streams event by event with a flush after each. Tests can also install a handler for fault scenarios.
/// </summary>
public sealed class FakeOpenRouter : IAsyncDisposable
{
    public const string FixtureHeader = "X-Fake-Fixture";
    public const string DefaultGenerationId = "gen-1764926476-0N0195qHFzGljvYKVijc";

    readonly WebApplication app;
    readonly ConcurrentQueue<UpstreamRequest> requests = new();

    /// <summary>Generation records served by <c>GET /generation?id=</c>, each visible only after its time (404 before, like OpenRouter).</summary>
    public ConcurrentDictionary<string, (DateTime VisibleAfterUtc, string Json)> Generations { get; } = new();

    /// <summary>When set, handles <c>POST /chat/completions</c> (and the other inference routes) instead of the replay.</summary>
    public Func<HttpContext, Task>? Handler { get; set; }

    public Func<HttpContext, Task>? ModelsHandler { get; set; }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyCollection<UpstreamRequest> Requests => requests;

    FakeOpenRouter(WebApplication app) => this.app = app;

    public static async Task<FakeOpenRouter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOpenRouter(app);
        app.MapPost("/api/v1/{**endpoint}", fake.HandleInferenceAsync);
        app.MapGet("/api/v1/models", fake.HandleModelsAsync);
        app.MapGet("/api/v1/generation", fake.HandleGenerationAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/') + "/api/v1";
        return fake;
    }

    public UpstreamRequest LastRequest => requests.Last();

    async Task HandleInferenceAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        requests.Enqueue(new UpstreamRequest(context.Request.Method, context.Request.Path,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
        context.Request.Body = new MemoryStream(body.ToArray());

        if (Handler is { } handler)
        {
            await handler(context);
            return;
        }
        if (context.Request.Headers[FixtureHeader].ToString() is { Length: > 0 } fixture)
        {
            await ReplayAsync(context, fixture);
            return;
        }
        var endpoint = context.Request.RouteValues["endpoint"]?.ToString();
        if (endpoint == "embeddings")
        {
            await ReplayEmbeddingsAsync(context, body.ToArray());
            return;
        }
        bool stream;
        try
        {
            using var request = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 1024 });
            stream = request.RootElement.ValueKind == JsonValueKind.Object
                && request.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"error":{"code":400,"message":"fake upstream: invalid JSON"}}""");
            return;
        }
        await ReplayAsync(context, stream ? DefaultStreamFixture : DefaultChatFixture);
    }

    public const string DefaultChatFixture = "chat/chat_basic_chat_functionality_openrouter_claude-haiku-4-5_can_have_a_basic_conversation__0__200.json";
    public const string DefaultStreamFixture = "stream/ruby_llm__chat_streaming_responses_openrouter_claude-haiku-4-5_supports_streaming_responses__0__200.sse";
    public const string EmbeddingsFixture = "embeddings/embedding_provider-reported_cost_openrouter_openai_text-embedding-3-small_returns_the_exact_cost_the_provider_reported__0__200.json";

    /// <summary>Sends a capture as OpenRouter sent it: SSE event by event (flushed), JSON bodies whole with the status in their name.</summary>
    public static async Task ReplayAsync(HttpContext context, string fixture)
    {
        var bytes = Fixtures.Bytes(fixture);
        if (fixture.EndsWith(".sse", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            foreach (var piece in SplitEvents(bytes))
            {
                await context.Response.Body.WriteAsync(piece, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            return;
        }
        context.Response.StatusCode = StatusFromName(fixture);
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>Splits SSE bytes after each blank line, keeping every byte.</summary>
    public static List<byte[]> SplitEvents(byte[] bytes)
    {
        var pieces = new List<byte[]>();
        var start = 0;
        for (var i = 1; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && bytes[i - 1] == '\n')
            {
                pieces.Add(bytes[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < bytes.Length)
        {
            pieces.Add(bytes[start..]);
        }
        return pieces;
    }

    static int StatusFromName(string fixture)
    {
        var name = Path.GetFileName(fixture);
        if (fixture.StartsWith("errors/", StringComparison.Ordinal) && name.Length >= 3 && int.TryParse(name[..3], out var status))
        {
            return status;
        }
        var marker = name.LastIndexOf("__", StringComparison.Ordinal);
        if (marker >= 0 && int.TryParse(Path.GetFileNameWithoutExtension(name)[(marker + 2)..], out status) && status is >= 100 and < 600)
        {
            return status;
        }
        return 200;
    }

    /// <summary>OpenRouter answers <c>encoding_format: base64</c> (the SDKs' default) with little-endian float32 bytes in base64.</summary>
    static async Task ReplayEmbeddingsAsync(HttpContext context, byte[] requestBody)
    {
        var base64 = JsonDocument.Parse(requestBody).RootElement.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";
        if (!base64)
        {
            await ReplayAsync(context, EmbeddingsFixture);
            return;
        }
        var node = System.Text.Json.Nodes.JsonNode.Parse(Fixtures.Bytes(EmbeddingsFixture))!;
        foreach (var item in node["data"]!.AsArray())
        {
            var floats = item!["embedding"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
            var bytes = new byte[floats.Length * 4];
            Buffer.BlockCopy(floats, 0, bytes, 0, bytes.Length);
            item["embedding"] = Convert.ToBase64String(bytes);
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(node.ToJsonString());
    }

    async Task HandleModelsAsync(HttpContext context)
    {
        if (ModelsHandler is { } handler)
        {
            await handler(context);
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Fixtures.Bytes("models/models-2026-08-19.json"));
    }

    async Task HandleGenerationAsync(HttpContext context)
    {
        var id = context.Request.Query["id"].ToString();
        if (Generations.TryGetValue(id, out var generation) && DateTime.UtcNow >= generation.VisibleAfterUtc)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(generation.Json);
            return;
        }
        context.Response.StatusCode = 404;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($"{{\"error\":{{\"code\":404,\"message\":\"Generation {id} not found\"}}}}");
    }

    /// <summary>
    /// A handler that answers like OpenRouter with a fresh generation id per request: streams of <paramref name="events"/>
    /// content chunks <paramref name="gap"/> apart, then the usage chunk and [DONE]; bodies after the same total time.
    /// Each generation's record appears at <c>/generation</c> after <paramref name="recordDelay"/>, with what was charged —
    /// for a stream cut short, the chunks sent so far.
    /// </summary>
    public Func<HttpContext, Task> Synthetic(int events, TimeSpan gap, TimeSpan recordDelay, decimal costPerChunk = 0.000125m)
    {
        return async context =>
        {
            var id = $"gen-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}-{Guid.NewGuid():N}"[..44];
            var stream = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement
                .TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            var sent = 0;
            try
            {
                if (!stream)
                {
                    await Task.Delay(gap * events, context.RequestAborted);
                    sent = events;
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(
                        $$$"""{"id":"{{{id}}}","provider":"Fake","model":"fake/model","object":"chat.completion","created":1,"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"done"}}],"usage":{"prompt_tokens":10,"completion_tokens":{{{events}}},"total_tokens":{{{10 + events}}},"cost":{{{Cost(events, costPerChunk)}}},"is_byok":false}}""");
                    return;
                }
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(": OPENROUTER PROCESSING\n\n");
                for (; sent < events; sent++)
                {
                    await context.Response.WriteAsync(
                        $$$"""data: {"id":"{{{id}}}","provider":"Fake","model":"fake/model","object":"chat.completion.chunk","created":1,"choices":[{"index":0,"delta":{"content":"t{{{sent}}} "},"finish_reason":null}]}""" + "\n\n",
                        context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(gap, context.RequestAborted);
                }
                await context.Response.WriteAsync(
                    $$$"""data: {"id":"{{{id}}}","provider":"Fake","model":"fake/model","object":"chat.completion.chunk","created":1,"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":{{{events}}},"total_tokens":{{{10 + events}}},"cost":{{{Cost(events, costPerChunk)}}},"is_byok":false}}""" + "\n\ndata: [DONE]\n\n",
                    context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client (Keypod) hung up: OpenRouter still records what was generated until then.
            }
            finally
            {
                Generations[id] = (DateTime.UtcNow + recordDelay,
                    $$$"""{"data":{"id":"{{{id}}}","model":"fake/model","provider_name":"Fake","streamed":{{{(stream ? "true" : "false")}}},"cancelled":{{{(sent < events ? "true" : "false")}}},"tokens_prompt":10,"tokens_completion":{{{sent}}},"native_tokens_reasoning":0,"native_tokens_cached":0,"usage":{{{Cost(sent, costPerChunk)}}},"total_cost":{{{Cost(sent, costPerChunk)}}},"upstream_inference_cost":0,"is_byok":false}}""");
            }
        };
    }

    public static string Cost(int chunks, decimal costPerChunk) =>
        (0.00001m + chunks * costPerChunk).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
