using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Keypod.Bench;

/// <summary>One way to reach the fake upstream: directly, through nginx, or through Keypod.</summary>
sealed record Target(string Name, Uri Url, string Authorization)
{
    /// <summary><c>--targets name=url=auth,...</c>: the URL is the full chat completions URL.</summary>
    public static List<Target> Parse(Arguments args) =>
        args.Get("targets").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(spec => spec.Split('=', 3))
            .Select(parts => new Target(parts[0], new Uri(parts[1]), parts[2]))
            .ToList();

    public static HttpClient NewClient(int maxConnections = int.MaxValue) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = TimeSpan.FromMinutes(3),
    };

    public HttpRequestMessage NewRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Authorization);
        return request;
    }

    public static byte[] ChatBody(bool stream, int gapMs = 0, int events = 0) => Encoding.UTF8.GetBytes(stream
        ? $"{{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{{\"role\":\"user\",\"content\":\"Say hello in one short sentence.\"}}],\"stream\":true,\"bench_gap_ms\":{gapMs},\"bench_events\":{events}}}"
        : "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in one short sentence.\"}]}");
}
