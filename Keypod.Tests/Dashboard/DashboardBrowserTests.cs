using System.Net;
using System.Text;
using Keypod.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Keypod.Tests.Dashboard;

public sealed class DashboardBrowserFixture : IAsyncLifetime
{
    public GatewayFixture Gateway { get; } = new();
    public Chromium Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Gateway.InitializeAsync();
        Chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

/// <summary>The local-admin path in real Chromium: sign in, create a project, user and keys, use the bearer, revoke it.</summary>
public sealed class DashboardBrowserTests(DashboardBrowserFixture fixture) : IClassFixture<DashboardBrowserFixture>
{
    KeypodApp App => fixture.Gateway.App;

    [Fact]
    public async Task An_admin_creates_a_project_user_and_keys_uses_the_copied_bearer_and_revokes_it()
    {
        var password = await DashboardSessions.InitialAdminPasswordAsync(App);
        await using var context = await fixture.Chromium.NewContextAsync(App);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        page.Url.Should().Contain("/account/login", "the dashboard needs a session");
        await page.ScreenshotAsync("login");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#local-sign-in");
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("Wrong user name or password");
        await page.FillAsync("#password", password);
        await page.ClickAsync("#local-sign-in");
        await Assertions.Expect(page.Locator("[data-testid=projects-empty]")).ToContainTextAsync("No projects yet");

        await page.ClickUntilVisibleAsync("[data-testid=new-project]", page.Input("project-name"));
        await page.Input("project-name").FillAsync("Research team");
        await page.ClickAsync("[data-testid=create-project]");
        await Assertions.Expect(page.Locator("[data-testid=project-title]")).ToHaveTextAsync("Research team");
        await Assertions.Expect(page.Locator("[data-testid=users-empty]")).ToBeVisibleAsync();

        await page.ClickUntilVisibleAsync("[data-testid=new-user]", page.Input("user-name"));
        await page.Input("user-name").FillAsync("Ada");
        await page.ClickAsync("[data-testid=create-user]");
        await page.DialogButton("Create key").ClickAsync();
        await page.Input("key-name").FillAsync("laptop");
        await page.ClickAsync("[data-testid=create-key]");
        await Assertions.Expect(page.Locator("[data-testid=shown-once]")).ToBeVisibleAsync();
        var userKey = await page.Locator("[data-testid=user-key]").InnerTextAsync();
        var projectKey = await page.Locator("[data-testid=project-key]").InnerTextAsync();
        (await page.Locator("[data-testid=bearer]").InnerTextAsync()).Should().Be($"{projectKey}:{userKey}");
        await page.ScreenshotAsync("create-key-dialog");

        await page.ClickAsync("[data-testid=copy-bearer]");
        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "copied" })).ToBeVisibleAsync();
        var bearer = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        bearer.Should().Be($"{projectKey}:{userKey}");

        using var client = App.CreateClient(bearer);
        using (var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"anthropic/claude-haiku-4.5","messages":[{"role":"user","content":"hi"}]}""")))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await page.ClickAsync("[data-testid=close-key-dialog]");
        await Assertions.Expect(page.Locator("[data-testid=user-keys]")).ToContainTextAsync("laptop");
        await page.ScreenshotAsync("project-detail");

        var userPrefix = userKey[..("user_".Length + 4)];
        await page.ClickAsync($"[data-testid=revoke-{userPrefix}]");
        await page.DialogButton("Revoke").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "revoked" })).ToBeVisibleAsync();
        using (var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"anthropic/claude-haiku-4.5","messages":[]}""")))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a revoked key fails on the very next request");
        }

        await page.ClickAsync("text=Project keys");
        await Assertions.Expect(page.Locator("[data-testid=project-keys]")).ToContainTextAsync("laptop");
        await page.ScreenshotAsync("project-keys");

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("[data-testid=projects-table]")).ToContainTextAsync("Research team");
        await page.ScreenshotAsync("projects");

        await page.GotoAsync("/admin/tokens");
        await page.ClickUntilVisibleAsync("[data-testid=token-name]", page.Input("token-name"));
        await page.RepeatUntilVisibleAsync(async () =>
        {
            await page.Input("token-name").FillAsync("deploy script");
            await page.ClickAsync("[data-testid=create-token]");
        }, page.Locator("[data-testid=admin-token]"));
        var adminToken = await page.Locator("[data-testid=admin-token]").InnerTextAsync();
        adminToken.Should().StartWith("kp_admin_");
        using (var admin = App.CreateClient(adminToken))
        {
            (await admin.GetAsync("/api/v1/projects")).StatusCode.Should().Be(HttpStatusCode.OK, "an admin API token works on the management API");
        }
        await page.ScreenshotAsync("admin-tokens");

        await page.GotoAsync("/admin/settings");
        await Assertions.Expect(page.Locator("[data-testid=settings-table]")).ToContainTextAsync("Keypod:Admin:MasterKey");
        (await page.ContentAsync()).Should().NotContain(KeypodApp.MasterKey).And.NotContain(KeypodApp.UpstreamKey);
        await page.ScreenshotAsync("settings");

        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await page.ClickAsync("[aria-label='Toggle dark mode']");
        await page.WaitForFunctionAsync("before => getComputedStyle(document.body).backgroundColor !== before", background);
        await page.ScreenshotAsync("settings-dark");
    }

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
