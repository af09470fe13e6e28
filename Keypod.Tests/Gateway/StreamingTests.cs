using System.Text;
using Microsoft.AspNetCore.Http;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Gateway;

public sealed class StreamingTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Each_event_reaches_the_client_before_the_upstream_sends_the_next()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var clientHasFirstEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamSentSecond = false;
        fixture.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(": OPENROUTER PROCESSING\n\n");
            await context.Response.WriteAsync("data: {\"id\":\"gen-1-abc\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            await clientHasFirstEvent.Task.WaitAsync(TimeSpan.FromSeconds(10));
            upstreamSentSecond = true;
            await context.Response.WriteAsync("data: {\"id\":\"gen-1-abc\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"cost\":0.00001}}\n\n");
            await context.Response.WriteAsync("data: [DONE]\n\n");
        };
        try
        {
            using var client = fixture.App.CreateClient(keys.Bearer);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = ProxyErrorTests.Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
            await using var body = await response.Content.ReadAsStreamAsync();

            var received = new StringBuilder();
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (!received.ToString().Contains("\"Hel\"", StringComparison.Ordinal))
            {
                var read = await body.ReadAsync(buffer, timeout.Token);
                read.Should().BePositive("the first event must arrive while the upstream waits");
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
            upstreamSentSecond.Should().BeFalse();
            received.ToString().Should().StartWith(": OPENROUTER PROCESSING\n\n", "comments pass as comments");
            clientHasFirstEvent.SetResult();

            var rest = await new StreamReader(body).ReadToEndAsync();
            rest.Should().Contain("\"lo\"").And.EndWith("data: [DONE]\n\n");
            var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
            row.UpstreamCostUsd.Should().Be(0.00001m);
            row.GenerationId.Should().Be("gen-1-abc");
        }
        finally
        {
            fixture.Upstream.Handler = null;
        }
    }

    /// <summary>The finished row is in the write-ahead journal (durable against a crash) before the client can see [DONE].</summary>
    [Fact]
    public async Task The_ledger_row_is_durable_before_the_client_sees_done()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = ProxyErrorTests.Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && line != "data: [DONE]")
        {
        }

        line.Should().Be("data: [DONE]");
        var requestId = response.Headers.GetValues("X-Keypod-Request-Id").Single();
        var journalled = Directory.GetFiles(fixture.App.DatabasePath + ".journal", "*.journal")
            .SelectMany(path => ReadShared(path))
            .Where(l => l.Contains(requestId, StringComparison.Ordinal) && l.Contains("\"Final\":true", StringComparison.Ordinal));
        await using var db = await fixture.App.CreateDbContextAsync();
        var committed = db.UsageRecords.Any(r => r.RequestId == requestId);
        (journalled.Any() || committed).Should().BeTrue("the finished row is journalled or committed before [DONE] is sent");
        var rows = await fixture.App.LedgerAsync(keys.ProjectId);
        rows.Should().ContainSingle().Which.Outcome.Should().Be(Outcome.Completed);
    }

    static IEnumerable<string> ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n');
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    [Fact]
    public async Task A_mid_stream_error_chunk_is_forwarded_and_recorded_with_its_usage()
    {
        var keys = await fixture.App.CreateKeysAsync();
        const string capture = "errors/200_sse_midstream_error_400_token_limit__pydantic-ai.sse";

        var received = await FixtureReplayTests.ReplayAsync(fixture.App, keys, capture, stream: true);

        Encoding.UTF8.GetString(received).Should().Contain("\"error\"");
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        row.Outcome.Should().Be(Outcome.MidstreamError);
        row.UpstreamCostUsd.Should().Be(FixtureExpectations.CostOfStream(Fixtures.Bytes(capture)));
        row.ErrorMessage.Should().NotBeNullOrEmpty();
    }
}
