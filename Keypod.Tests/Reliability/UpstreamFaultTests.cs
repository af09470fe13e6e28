using System.Net;
using System.Text;
using System.Text.Json;
using Keypod.Core.Ledger;
using Keypod.Tests.Gateway;
using Keypod.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Keypod.Tests.Reliability;

/// <summary>Each way the upstream can fail, with what the client sees and what the ledger keeps.</summary>
public sealed class UpstreamFaultTests : IAsyncLifetime
{
    FakeOpenRouter upstream = null!;
    KeypodApp app = null!;
    TestKeys keys = null!;

    public async Task InitializeAsync()
    {
        upstream = await FakeOpenRouter.StartAsync();
        app = new KeypodApp(upstream, new Dictionary<string, string?> { ["Keypod:Proxy:IdleTimeout"] = "00:00:01" });
        keys = await app.CreateKeysAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await upstream.DisposeAsync();
    }

    const string FirstChunk = """data: {"id":"gen-1790000003-FaultyStreamAbCdEfG","model":"openai/gpt-4o-mini","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}""" + "\n\n";

    async Task<(HttpResponseMessage Response, string Body)> StreamAsync()
    {
        using var client = app.CreateClient(keys.Bearer);
        var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("""{"model":"openai/gpt-4o-mini","stream":true}"""));
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_stream_that_stalls_ends_with_an_error_event_in_openrouters_shape()
    {
        upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(FirstChunk);
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
        };

        var (response, body) = await StreamAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        AssertEndsWithErrorEvent(body, 504);
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.Outcome.Should().Be(Outcome.UpstreamTimeout);
        row.GenerationId.Should().Be("gen-1790000003-FaultyStreamAbCdEfG");
        row.CostSource.Should().BeOneOf(CostSource.Pending, CostSource.Unpriced, CostSource.Generation);
    }

    [Fact]
    public async Task A_connection_reset_mid_stream_ends_with_an_error_event()
    {
        upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(FirstChunk);
            await context.Response.Body.FlushAsync();
            await Task.Delay(100);
            context.Abort();
        };

        var (_, body) = await StreamAsync();

        AssertEndsWithErrorEvent(body, 502);
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.Outcome.Should().Be(Outcome.UpstreamError);
        row.GenerationId.Should().NotBeNull("the generation id lets the cost be reconciled");
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task Errors_with_Retry_After_pass_through(int status)
    {
        upstream.Handler = async context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.RetryAfter = "7";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"code\":" + status + ""","message":"Provider returned error","metadata":{"raw":"overloaded"}}}""");
        };
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        ((int)response.StatusCode).Should().Be(status);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        (await response.Content.ReadAsStringAsync()).Should().Contain("Provider returned error");
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.Status.Should().Be(status);
        row.Outcome.Should().Be(Outcome.UpstreamError);
        row.CostSource.Should().Be(CostSource.None);
    }

    [Fact]
    public async Task Malformed_json_from_the_upstream_is_passed_on_and_recorded_as_an_upstream_error()
    {
        upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"id\":\"gen-broken\",\"choices\":[{\"message\":");
        };
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        (await response.Content.ReadAsStringAsync()).Should().Be("{\"id\":\"gen-broken\",\"choices\":[{\"message\":");
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.Outcome.Should().Be(Outcome.UpstreamError);
        row.BilledUsd.Should().NotBe(0m, "nothing known is never billed as a silent $0");
    }

    [Fact]
    public async Task A_200_carrying_an_error_is_recorded_as_an_upstream_error()
    {
        upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"code":502,"message":"Provider returned error","metadata":{"raw":"upstream timeout"}},"user_id":"user_2x"}""");
        };
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the upstream's status passes through");
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.Outcome.Should().Be(Outcome.UpstreamError);
        row.ErrorMessage.Should().Be("Provider returned error");
    }

    [Fact]
    public async Task A_very_large_response_passes_through_intact_and_is_billed()
    {
        var filler = new string('x', 30 * 1024 * 1024);
        const string head = """{"id":"gen-1790000004-LargeResponseAbCdEf","model":"openai/gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":""";
        const string tail = """}}],"usage":{"prompt_tokens":5,"completion_tokens":9000000,"cost":5.4}}""";
        var body = head + "\"" + filler + "\"" + tail;
        upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        };
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json("{}"));

        var received = await response.Content.ReadAsStringAsync();
        received.Length.Should().BeGreaterThan(filler.Length);
        using (var document = JsonDocument.Parse(received))
        {
            document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().Should().HaveLength(filler.Length);
        }
        var row = (await app.LedgerAsync(keys.ProjectId)).Single();
        row.UpstreamCostUsd.Should().Be(5.4m);
        row.BilledUsd.Should().Be(5.94m);
    }

    static void AssertEndsWithErrorEvent(string body, int code)
    {
        body.Should().StartWith(FirstChunk, "what arrived before the failure was forwarded");
        body.Should().EndWith("data: [DONE]\n\n");
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var error = events[^2];
        error.Should().StartWith("data: {");
        using var chunk = JsonDocument.Parse(error["data: ".Length..]);
        chunk.RootElement.GetProperty("error").GetProperty("code").GetInt32().Should().Be(code);
        chunk.RootElement.GetProperty("error").GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        chunk.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("error");
        chunk.RootElement.GetProperty("id").GetString().Should().Be("gen-1790000003-FaultyStreamAbCdEfG");
    }
}
