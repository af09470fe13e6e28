using Keypod.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Hosting;

/// <summary>Browser hardening for the dashboard and docs pages; the APIs under /v1 and /api answer JSON and skip it.</summary>
static class SecurityHeaders
{
    /// <summary>The policy; forms may also lead to the identity provider, since the SSO button's post redirects there.</summary>
    static string ContentSecurityPolicy(string? identityProvider) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        $"connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'{identityProvider}; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var oidc = app.ApplicationServices.GetRequiredService<IOptions<KeypodOptions>>().Value.Auth.Oidc;
        var identityProvider = oidc.IsConfigured && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? " " + authority.GetLeftPart(UriPartial.Authority)
            : null;
        var policy = ContentSecurityPolicy(identityProvider);
        return app.Use((context, next) => Apply(context, next, policy));
    }

    static Task Apply(HttpContext context, RequestDelegate next, string policy)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/v1") && !path.StartsWithSegments("/api"))
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = policy;
        }
        return next(context);
    }

    /// <summary>Empty error responses from the APIs (a route that did not bind, say) still carry OpenRouter's envelope.</summary>
    public static IApplicationBuilder UseApiStatusCodeEnvelopes(this IApplicationBuilder app) => app.UseStatusCodePages(async context =>
    {
        var http = context.HttpContext;
        if (http.Request.Path.StartsWithSegments("/v1") || http.Request.Path.StartsWithSegments("/api"))
        {
            var status = http.Response.StatusCode;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(Proxy.OpenRouterError.Envelope(status, status switch
            {
                400 => "The request is not valid: check its parameters and body.",
                401 => "Authentication required.",
                403 => "Not allowed.",
                404 => "Not found.",
                405 => "Method not allowed.",
                415 => "Unsupported content type: send application/json.",
                _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
            }));
        }
    });
}
