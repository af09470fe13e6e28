using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Gateway;

/// <summary>Each error the gateway can answer: the status, and OpenRouter's envelope so every SDK parses it.</summary>
public sealed class ProxyErrorTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    const string Body = """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer kp_proj_short:user_short")]
    [InlineData("Bearer kp_proj_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("Bearer kp_proj_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:user_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("Bearer sk-or-v1-something")]
    public async Task Missing_malformed_or_unknown_keys_get_401(string? authorization)
    {
        using var client = fixture.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        await AssertEnvelopeAsync(response, 401);
    }

    [Fact]
    public async Task A_user_key_from_another_project_gets_401()
    {
        var a = await fixture.App.CreateKeysAsync("Project A");
        var b = await fixture.App.CreateKeysAsync("Project B");
        using var client = fixture.App.CreateClient($"{a.ProjectKey}:{b.UserKey}");

        using var response = await client.PostAsync("/v1/chat/completions", Json(Body));

        await AssertEnvelopeAsync(response, 401);
    }

    [Fact]
    public async Task A_disabled_project_gets_403_and_enabling_it_works_again()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var admin = fixture.App.CreateAdminClient();
        using var client = fixture.App.CreateClient(keys.Bearer);
        (await admin.PatchAsJsonAsync($"/api/v1/projects/{keys.ProjectId}", new { disabled = true })).EnsureSuccessStatusCode();

        using (var response = await client.PostAsync("/v1/chat/completions", Json(Body)))
        {
            await AssertEnvelopeAsync(response, 403);
        }

        (await admin.PatchAsJsonAsync($"/api/v1/projects/{keys.ProjectId}", new { disabled = false })).EnsureSuccessStatusCode();
        using var again = await client.PostAsync("/v1/chat/completions", Json(Body));
        again.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"model\":\"x\"} trailing")]
    [InlineData("")]
    public async Task Invalid_json_gets_400(string body)
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", Json(body));

        await AssertEnvelopeAsync(response, 400);
        fixture.Upstream.Requests.Should().NotContain(r => Encoding.UTF8.GetString(r.Body) == body);
    }

    [Fact]
    public async Task Invalid_utf8_gets_400()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        var bytes = Encoding.UTF8.GetBytes("{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"AB\"}]}");
        bytes[^6] = 0xC3;
        bytes[^5] = 0x28;

        using var response = await client.PostAsync("/v1/chat/completions", new ByteArrayContent(bytes));

        await AssertEnvelopeAsync(response, 400);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_gets_413(bool chunked)
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        var filler = new string('a', 10 * 1024 * 1024);
        var body = Encoding.UTF8.GetBytes($$"""{"model":"x","messages":[{"role":"user","content":"{{filler}}"}]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        await AssertEnvelopeAsync(response, 413);
    }

    public static TheoryData<string> ErrorCaptures() => [.. Fixtures.Files("errors", "*.json").Where(f => !f.EndsWith(".meta.json", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(ErrorCaptures))]
    public async Task Upstream_errors_pass_through_with_their_status_and_body(string capture)
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body) };
        request.Headers.Add(FakeOpenRouter.FixtureHeader, capture);

        using var response = await client.SendAsync(request);

        var expectedStatus = int.Parse(Path.GetFileName(capture)[..3], System.Globalization.CultureInfo.InvariantCulture);
        ((int)response.StatusCode).Should().Be(expectedStatus);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(Fixtures.Bytes(capture));
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        row.Status.Should().Be(expectedStatus);
        row.Outcome.Should().Be(Outcome.UpstreamError);
        row.CostSource.Should().Be(CostSource.None);
        row.BilledUsd.Should().Be(0m);
    }

    [Fact]
    public async Task Retry_After_from_a_429_reaches_the_client()
    {
        var keys = await fixture.App.CreateKeysAsync();
        fixture.Upstream.Handler = async context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "29";
            context.Response.Headers["X-RateLimit-Reset"] = "1767762000000";
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(Fixtures.Bytes("errors/429_error_object_only_retry_after.json"));
        };
        try
        {
            using var client = fixture.App.CreateClient(keys.Bearer);
            using var response = await client.PostAsync("/v1/chat/completions", Json(Body));

            ((int)response.StatusCode).Should().Be(429);
            response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(29));
            response.Headers.GetValues("X-RateLimit-Reset").Should().Equal("1767762000000");
        }
        finally
        {
            fixture.Upstream.Handler = null;
        }
    }

    [Fact]
    public async Task Unknown_v1_routes_get_an_envelope_404()
    {
        using var client = fixture.App.CreateClient();
        using var response = await client.GetAsync("/v1/no-such-thing");
        await AssertEnvelopeAsync(response, 404);
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    internal static async Task AssertEnvelopeAsync(HttpResponseMessage response, int status)
    {
        ((int)response.StatusCode).Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().Should().Be(status);
        error.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
        text.Should().NotContain(" at Keypod.").And.NotContain("Exception");
    }
}

/// <summary>Failures of the upstream connection itself, each on its own Keypod configured to meet it.</summary>
public sealed class UpstreamConnectionFailureTests
{
    const string Body = """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

    [Fact]
    public async Task An_unreachable_upstream_gets_502_and_a_ledger_row()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        var closedPort = GetClosedPort();
        await using var app = new KeypodApp(upstream, new Dictionary<string, string?>
        {
            ["Keypod:OpenRouter:BaseUrl"] = $"http://127.0.0.1:{closedPort}/api/v1",
        });
        var keys = await app.CreateKeysAsync();
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json(Body));

        await ProxyErrorTests.AssertEnvelopeAsync(response, 502);
        var row = (await app.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        row.Outcome.Should().Be(Outcome.UpstreamUnreachable);
        row.CostSource.Should().Be(CostSource.None);
    }

    [Fact]
    public async Task An_upstream_that_does_not_answer_in_time_gets_504_without_retries()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        upstream.Handler = async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        await using var app = new KeypodApp(upstream, new Dictionary<string, string?> { ["Keypod:Proxy:HeadersTimeout"] = "00:00:01" });
        var keys = await app.CreateKeysAsync();
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json(Body));

        await ProxyErrorTests.AssertEnvelopeAsync(response, 504);
        response.Headers.GetValues("x-should-retry").Should().Equal("false");
        var row = (await app.LedgerAsync(keys.ProjectId)).Should().ContainSingle().Subject;
        row.Outcome.Should().Be(Outcome.UpstreamTimeout);
        row.CostSource.Should().Be(CostSource.Unpriced);
    }

    [Fact]
    public async Task Without_an_upstream_key_proxy_calls_explain_what_to_configure()
    {
        await using var upstream = await FakeOpenRouter.StartAsync();
        await using var app = new KeypodApp(upstream, new Dictionary<string, string?> { ["Keypod:OpenRouter:ApiKey"] = "" });
        var keys = await app.CreateKeysAsync();
        using var client = app.CreateClient(keys.Bearer);

        using var response = await client.PostAsync("/v1/chat/completions", ProxyErrorTests.Json(Body));

        await ProxyErrorTests.AssertEnvelopeAsync(response, 503);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Keypod__OpenRouter__ApiKey");
        upstream.Requests.Should().BeEmpty();
        using var dashboard = app.CreateClient();
        (await dashboard.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    static int GetClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
