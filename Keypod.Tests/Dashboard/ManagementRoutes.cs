using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Dashboard;

/// <summary>One route of the running app, as its EndpointDataSource lists it, with each HTTP method it accepts.</summary>
public sealed record AppRoute(string Method, string Pattern, Endpoint Endpoint)
{
    public bool ChangesData => Method is not ("GET" or "HEAD" or "OPTIONS");

    /// <summary>The pattern with <c>{projectId}</c> set and every other parameter a fresh id.</summary>
    public string Url(Guid projectId)
    {
        var pattern = ((RouteEndpoint)Endpoint).RoutePattern;
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "projectId" } => projectId.ToString(),
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { IsCatchAll: true } => "anything",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "month" } => "2026-11",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart => Guid.NewGuid().ToString(),
            _ => "",
        })));
        return "/" + string.Join("/", segments);
    }

    public override string ToString() => $"{Method} {Pattern}";

    public static List<AppRoute> All(KeypodApp app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST", "PUT", "PATCH", "DELETE"])
                .Select(method => new AppRoute(method, endpoint.RoutePattern.RawText ?? "", endpoint)))
            .ToList();
}
