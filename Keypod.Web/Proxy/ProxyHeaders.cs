using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace Keypod.Web.Proxy;

/// <summary>Which headers cross the proxy. End-to-end headers pass; hop-by-hop and credential headers never do.</summary>
static class ProxyHeaders
{
    static readonly HashSet<string> NotForwardedUpstream = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Host", "Content-Length", "Content-Type", "Accept-Encoding", "Expect",
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
        "Proxy-Authenticate", "Proxy-Connection", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded",
    };

    static readonly HashSet<string> NotReturnedToClient = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authenticate",
        "Proxy-Connection", "Content-Length", "Set-Cookie", "Server", "Alt-Svc", "Strict-Transport-Security",
    };

    /// <param name="upstreamAuthorization">The whole <c>Authorization</c> value for OpenRouter ("Bearer sk-or-…").</param>
    public static void CopyToUpstream(HttpRequest source, HttpRequestMessage target, string upstreamAuthorization)
    {
        foreach (var (name, values) in source.Headers)
        {
            if (NotForwardedUpstream.Contains(name) || name.StartsWith(':'))
            {
                continue;
            }
            if (values.Count == 1)
            {
                target.Headers.TryAddWithoutValidation(name, values.ToString());
            }
            else
            {
                target.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        target.Headers.TryAddWithoutValidation("Authorization", upstreamAuthorization);
        target.Headers.TryAddWithoutValidation("Accept-Encoding", "identity");
    }

    public static void CopyToClient(HttpResponseMessage source, HttpResponse target, bool keepContentLength)
    {
        target.StatusCode = (int)source.StatusCode;
        Copy(source.Headers, target);
        Copy(source.Content.Headers, target);
        if (keepContentLength && source.Content.Headers.ContentLength is { } length)
        {
            target.ContentLength = length;
        }
    }

    static void Copy(HttpHeaders headers, HttpResponse target)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!NotReturnedToClient.Contains(name))
            {
                target.Headers[name] = ToStringValues(values);
            }
        }
    }

    static StringValues ToStringValues(HeaderStringValues values) =>
        values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);
}
