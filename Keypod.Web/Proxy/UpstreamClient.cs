using System.Net;
using Keypod.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Proxy;

/// <summary>
/// The connection pool to OpenRouter. No resilience handler and no total timeout: those cut long streams and
/// retry requests the upstream already charged for; timeouts are per phase (headers, then idle between reads).
/// </summary>
sealed class UpstreamClient(IOptionsMonitor<KeypodOptions> options) : IDisposable
{
    readonly HttpMessageInvoker invoker = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
        // Attribution headers such as X-Title may carry an app name in UTF-8: pass its bytes on as they came.
        RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8,
        // No traceparent/tracestate of ours on requests to OpenRouter (nothing of Keypod's tracing leaves the host), and
        // without a propagator the handler skips its per-request diagnostics layer.
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);

    public OpenRouterOptions Settings => options.CurrentValue.OpenRouter;

    (string BaseUrl, System.Collections.Concurrent.ConcurrentDictionary<string, Uri> Uris) uris = ("", new());

    /// <summary>The upstream address of a path; cached, since the proxy asks for the same few on every request.</summary>
    public Uri UriFor(string pathAndQuery)
    {
        var current = uris;
        if (current.BaseUrl != Settings.BaseUrl)
        {
            current = uris = (Settings.BaseUrl, new());
        }
        return current.Uris.GetOrAdd(pathAndQuery, static (path, baseUrl) => new Uri(baseUrl.TrimEnd('/') + "/" + path.TrimStart('/')), current.BaseUrl);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        invoker.SendAsync(request, cancellationToken);

    public void Dispose() => invoker.Dispose();
}
