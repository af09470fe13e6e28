using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Keypod.Tests.Dashboard;

public sealed class EndpointProtectionTests(OidcGatewayFixture fixture) : IClassFixture<OidcGatewayFixture>
{
    /// <summary>Routes that must answer strangers by design, each with what protects it instead of a session.</summary>
    static readonly Dictionary<string, string> AnonymousByDesign = new()
    {
        ["/account/login"] = "the sign-in form itself: antiforgery token and login throttle",
        ["/account/login/oidc"] = "starts the OIDC redirect: antiforgery token; nothing is stored",
        ["/v1/{*path:nonfile}"] = "the inference API's answer for unknown paths: a 404 envelope, changes nothing",
    };

    [Fact]
    public async Task No_route_that_changes_data_is_reachable_without_authentication()
    {
        var routes = AppRoute.All(fixture.App).Where(r => r.ChangesData).ToList();
        routes.Should().Contain(r => r.Pattern.StartsWith("/api/v1", StringComparison.Ordinal)).And.Contain(r => r.Pattern == "/account/logout");
        using var stranger = DashboardSessions.NewClient(fixture.App);
        foreach (var route in routes)
        {
            if (route.Endpoint.Metadata.GetMetadata<HubMetadata>() is not null || route.Pattern.StartsWith("/_blazor", StringComparison.Ordinal))
            {
                continue; // The circuit transport: it only renders components, and every page checks [Authorize] itself.
            }
            var requiresAuthorization = route.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any()
                && route.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            var inference = route.Pattern.StartsWith("/v1/", StringComparison.Ordinal);
            (requiresAuthorization || inference || AnonymousByDesign.ContainsKey(route.Pattern) || IsStaticPage(route))
                .Should().BeTrue($"{route} changes data and must require authorization");

            var acceptsJson = route.Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes
                .Any(t => t.Contains("json", StringComparison.Ordinal)) == true;
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(Guid.NewGuid()))
            {
                Content = acceptsJson
                    ? new StringContent("""{"name":"x"}""", System.Text.Encoding.UTF8, "application/json")
                    : new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "x" }),
            };
            using var response = await stranger.SendAsync(request);
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed
                || (response.StatusCode == HttpStatusCode.NotFound && route.Pattern == "/v1/{*path:nonfile}")
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/account/login", StringComparison.Ordinal));
            refused.Should().BeTrue($"{route} answered a stranger with {(int)response.StatusCode}");
        }
    }

    /// <summary>Razor pages accept POST for forms; a POST without an antiforgery token is refused before the page runs.</summary>
    static bool IsStaticPage(AppRoute route) =>
        route.Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null;
}
