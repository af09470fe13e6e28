using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Reliability;

/// <summary>
/// A generated corpus of hostile input at the inference and management APIs. Whatever arrives: no 5xx of Keypod's
/// own making, no crash, an error envelope that parses, and memory that stays bounded.
/// </summary>
public sealed class BadInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    const int Seed = 20261204;

    public static IEnumerable<(string Name, byte[] Body)> InferenceBodies()
    {
        var random = new Random(Seed);
        var valid = Directory.GetFiles(Path.Combine(Fixtures.OpenRouterDirectory, "client-recordings"), "request.json", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("body"))
            .Where(b => b.TryGetProperty("json", out _))
            .Select(b => Encoding.UTF8.GetBytes(b.GetProperty("json").GetRawText()))
            .Take(12)
            .ToList();
        valid.Should().NotBeEmpty();

        foreach (var (body, index) in valid.Select((b, i) => (b, i)))
        {
            yield return ($"valid-{index}", body);
            for (var m = 0; m < 12; m++)
            {
                yield return ($"mutated-{index}-{m}", Mutate(body, random));
            }
            yield return ($"truncated-{index}", body[..random.Next(1, body.Length)]);
        }
        yield return ("deep-nesting", Encoding.UTF8.GetBytes("{\"messages\":" + new string('[', 5000) + new string(']', 5000) + "}"));
        yield return ("huge-string", Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":"{{new string('x', 5_000_000)}}"}]}"""));
        yield return ("huge-number", "{\"model\":\"m\",\"max_tokens\":1e999999,\"messages\":[]}"u8.ToArray());
        yield return ("wrong-types", """{"model":{"a":1},"messages":5,"stream":"yes","temperature":"hot"}"""u8.ToArray());
        yield return ("stream-as-number", """{"model":"m","stream":1,"messages":[]}"""u8.ToArray());
        yield return ("invalid-utf8", [.. "{\"model\":\""u8, 0xFF, 0xFE, 0xC0, 0x80, .. "\"}"u8]);
        yield return ("overlong-utf8", [.. "{\"model\":\""u8, 0xE0, 0x80, 0xAF, .. "\"}"u8]);
        yield return ("lone-surrogate", "{\"model\":\"\\uD800\",\"messages\":[]}"u8.ToArray());
        yield return ("nul-bytes", [.. "{\"model\":\"a"u8, 0, .. "b\",\"messages\":[]}"u8]);
        yield return ("bom", [0xEF, 0xBB, 0xBF, .. "{\"model\":\"m\"}"u8]);
        yield return ("duplicate-keys", """{"stream":true,"stream":false,"model":"a","model":"b"}"""u8.ToArray());
        yield return ("only-whitespace", "   \n\t  "u8.ToArray());
        yield return ("random-binary", RandomBytes(random, 4096));
    }

    static byte[] Mutate(byte[] body, Random random)
    {
        var copy = (byte[])body.Clone();
        var kind = random.Next(4);
        switch (kind)
        {
            case 0:
                for (var i = 0; i < 3; i++)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }
                return copy;
            case 1:
                var at = random.Next(copy.Length);
                return [.. copy[..at], .. RandomBytes(random, random.Next(1, 16)), .. copy[at..]];
            case 2:
                var from = random.Next(copy.Length);
                return [.. copy[..from], .. copy[Math.Min(copy.Length, from + random.Next(1, 32))..]];
            default:
                var tokens = new[] { "null", "true", "[]", "{}", "\"\"", "-0", "1e308", "\"\\u0000\"" };
                var position = Array.IndexOf(copy, (byte)':', random.Next(copy.Length));
                return position < 0 ? copy : [.. copy[..(position + 1)], .. Encoding.UTF8.GetBytes(tokens[random.Next(tokens.Length)] + ","), .. copy[(position + 1)..]];
        }
    }

    static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task The_inference_api_survives_the_corpus()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var client = fixture.App.CreateClient(keys.Bearer);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cases = 0;
        foreach (var (name, body) in InferenceBodies())
        {
            foreach (var contentType in new[] { "application/json", "text/plain", null })
            {
                var content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                }
                using var response = await client.PostAsync("/v1/chat/completions", content);
                await AssertWellFormedAsync(response, name);
                cases++;
            }
        }
        cases.Should().BeGreaterThan(400);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        (after - before).Should().BeLessThan(200L * 1024 * 1024, "memory stays bounded");
        (await client.GetStringAsync("/healthz")).Should().Be("ok");
    }

    [Fact]
    public async Task Odd_headers_and_malformed_bearers_get_clean_errors()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var bearers = new[]
        {
            "Bearer " + new string('a', 10_000),
            $"Bearer {keys.ProjectKey}:{keys.UserKey}:extra",
            $"Bearer {keys.ProjectKey}::{keys.UserKey}",
            $"Bearer  {keys.ProjectKey}:{keys.UserKey}x",
            "Bearer kp_proj_ÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöü:user_ÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöüÄÖÜäöü",
            "Bearer \t" + keys.ProjectKey,
            "bearer " + keys.Bearer.ToUpperInvariant(),
            "Token " + keys.Bearer,
            "Bearer :",
            "Bearer " + keys.UserKey + ":" + keys.ProjectKey,
        };
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = fixture.App.BaseAddress,
        };
        foreach (var bearer in bearers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Gateway.ProxyErrorTests.Json("{}") };
            request.Headers.TryAddWithoutValidation("Authorization", bearer);
            request.Headers.TryAddWithoutValidation("X-Title", "\u00e9t\u00e9 \u65e5\u672c");
            request.Headers.TryAddWithoutValidation("HTTP-Referer", new string('r', 8000));
            using var response = await client.SendAsync(request);
            ((int)response.StatusCode).Should().Be(401, bearer[..Math.Min(40, bearer.Length)]);
            await AssertWellFormedAsync(response, bearer);
        }

        using var valid = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Gateway.ProxyErrorTests.Json("{}") };
        valid.Headers.TryAddWithoutValidation("Authorization", "Bearer " + keys.Bearer);
        valid.Headers.TryAddWithoutValidation("X-Title", "été 日本");
        using var ok = await client.SendAsync(valid);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        fixture.Upstream.LastRequest.Headers["X-Title"].Should().Be("été 日本", "attribution headers pass through intact");
    }

    [Fact]
    public async Task The_management_api_survives_the_corpus()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var admin = fixture.App.CreateAdminClient();
        var random = new Random(Seed);
        var bodies = InferenceBodies().Select(c => c.Body).Where(b => b.Length < 100_000).Take(120).ToList();
        var paths = new[]
        {
            ("POST", "/api/v1/projects"),
            ("PATCH", $"/api/v1/projects/{keys.ProjectId}"),
            ("POST", $"/api/v1/projects/{keys.ProjectId}/keys"),
            ("POST", $"/api/v1/projects/{keys.ProjectId}/users"),
            ("POST", $"/api/v1/projects/{keys.ProjectId}/users/{keys.UserId}/keys"),
        };
        foreach (var body in bodies)
        {
            var (method, path) = paths[random.Next(paths.Length)];
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await admin.SendAsync(request);
            await AssertWellFormedAsync(response, $"{method} {path}");
        }
        var queries = new[]
        {
            "requests?limit=-5", "requests?limit=abc", "requests?cursor=%00%FF", "requests?userId=not-a-guid", "requests?limit=99999999999",
            "usage?from=yesterday", "usage?from=2026-01-01&to=2025-01-01", "usage?groupBy=%27%3B--", "statements/9999-99", "statements/abcd",
            "requests.csv?from=garbage",
        };
        foreach (var query in queries)
        {
            using var response = await admin.GetAsync($"/api/v1/projects/{keys.ProjectId}/{query}");
            await AssertWellFormedAsync(response, query);
            ((int)response.StatusCode).Should().BeInRange(400, 499, query);
        }
    }

    [Fact]
    public async Task A_slow_upload_is_forwarded_once_complete()
    {
        var keys = await fixture.App.CreateKeysAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.App.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var body = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"slow"}]}""");
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {keys.Bearer}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        foreach (var chunk in body.Chunk(8))
        {
            await stream.WriteAsync(chunk);
            await Task.Delay(100);
        }
        using var reader = new StreamReader(stream);
        var statusLine = await reader.ReadLineAsync();
        statusLine.Should().Be("HTTP/1.1 200 OK");
    }

    static async Task AssertWellFormedAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        status.Should().BeLessThan(500, $"Keypod must not fail on {what}");
        if (status >= 400)
        {
            var text = await response.Content.ReadAsStringAsync();
            using var document = JsonDocument.Parse(text);
            document.RootElement.GetProperty("error").GetProperty("message").GetString().Should().NotBeNullOrEmpty(what);
            text.Should().NotContain("   at ", what);
        }
    }
}
