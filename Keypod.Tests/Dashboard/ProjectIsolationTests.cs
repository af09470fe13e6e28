using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Keypod.Tests.Dashboard;

/// <summary>A member of one project, signed in through OIDC, against every management route of another.</summary>
public sealed class ProjectIsolationTests(OidcGatewayFixture fixture) : IClassFixture<OidcGatewayFixture>
{
    [Fact]
    public async Task A_member_of_project_A_gets_403_or_404_for_project_B_on_every_management_route()
    {
        var projectA = await fixture.App.CreateKeysAsync("Project A");
        var projectB = await fixture.App.CreateKeysAsync("Project B");
        var memberEmail = $"owner-{Guid.NewGuid():N}@example.com";
        using (var admin = fixture.App.CreateAdminClient())
        {
            (await admin.PostAsJsonAsync($"/api/v1/projects/{projectA.ProjectId}/members", new { email = memberEmail, role = "owner" }))
                .StatusCode.Should().Be(HttpStatusCode.OK);
        }
        using var member = await DashboardSessions.SignInWithOidcAsync(fixture.App, memberEmail);
        var (header, token) = await DashboardSessions.ApiAntiforgeryTokenAsync(member);

        var routes = ManagementRoutes().Where(r => r.Pattern.Contains("{projectId", StringComparison.Ordinal)).ToList();
        routes.Should().HaveCountGreaterThan(10, "every project route of the management API is enumerated");
        foreach (var route in routes)
        {
            using var response = await SendAsync(member, route, route.Url(projectB.ProjectId), header, token);
            response.StatusCode.Should().BeOneOf([HttpStatusCode.NotFound, HttpStatusCode.Forbidden], $"{route} on project B");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                (await response.Content.ReadAsStringAsync()).Should().Contain("Project not found", $"{route} refuses the project, not a missing sub-resource");
            }
        }

        foreach (var route in routes.Where(r => !r.ChangesData))
        {
            using var response = await SendAsync(member, route, route.Url(projectA.ProjectId), header, token);
            (await response.Content.ReadAsStringAsync()).Should().NotContain("Project not found", $"{route}: the owner sees project A");
            ((int)response.StatusCode).Should().NotBe(403, $"{route} on the member's own project");
        }

        var visible = await member.GetFromJsonAsync<JsonElement>("/api/v1/projects");
        visible.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).Should().Equal(projectA.ProjectId);

        using var create = await SendAsync(member, new AppRoute("POST", "/api/v1/projects", null!), "/api/v1/projects", header, token);
        create.StatusCode.Should().Be(HttpStatusCode.Forbidden, "only platform admins create projects");
    }

    [Fact]
    public async Task A_viewer_may_read_but_not_change_their_project()
    {
        var project = await fixture.App.CreateKeysAsync("Viewed");
        var viewerEmail = $"viewer-{Guid.NewGuid():N}@example.com";
        using (var admin = fixture.App.CreateAdminClient())
        {
            await admin.PostAsJsonAsync($"/api/v1/projects/{project.ProjectId}/members", new { email = viewerEmail, role = "viewer" });
        }
        using var viewer = await DashboardSessions.SignInWithOidcAsync(fixture.App, viewerEmail);
        var (header, token) = await DashboardSessions.ApiAntiforgeryTokenAsync(viewer);

        (await viewer.GetAsync($"/api/v1/projects/{project.ProjectId}/users")).StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var route in ManagementRoutes().Where(r => r.ChangesData && r.Pattern.Contains("{projectId", StringComparison.Ordinal)))
        {
            using var response = await SendAsync(viewer, route, route.Url(project.ProjectId), header, token);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, $"{route} is a change");
        }
        using var admin2 = fixture.App.CreateAdminClient();
        (await admin2.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{project.ProjectId}/keys")).EnumerateArray()
            .Should().OnlyContain(k => k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_cookie_session_change_without_the_antiforgery_token_is_refused()
    {
        var project = await fixture.App.CreateKeysAsync("Csrf");
        var ownerEmail = $"csrf-{Guid.NewGuid():N}@example.com";
        using (var admin = fixture.App.CreateAdminClient())
        {
            await admin.PostAsJsonAsync($"/api/v1/projects/{project.ProjectId}/members", new { email = ownerEmail, role = "owner" });
        }
        using var owner = await DashboardSessions.SignInWithOidcAsync(fixture.App, ownerEmail);
        var path = $"/api/v1/projects/{project.ProjectId}/users";

        using (var forged = await owner.PostAsJsonAsync(path, new { name = "Mallory" }))
        {
            forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await forged.Content.ReadAsStringAsync()).Should().Contain("antiforgery");
        }
        var (header, token) = await DashboardSessions.ApiAntiforgeryTokenAsync(owner);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { name = "Grace" }) };
        request.Headers.Add(header, token);
        (await owner.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Created, "the owner may add users with the token");
    }

    List<AppRoute> ManagementRoutes() =>
        AppRoute.All(fixture.App).Where(r => r.Pattern.StartsWith("/api/v1", StringComparison.Ordinal)).ToList();

    static async Task<HttpResponseMessage> SendAsync(HttpClient client, AppRoute route, string url, string header, string token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), url);
        if (route.ChangesData)
        {
            request.Content = JsonContent.Create(new { name = "changed", email = "x@example.com", role = "owner" });
            request.Headers.Add(header, token);
        }
        return await client.SendAsync(request);
    }
}
