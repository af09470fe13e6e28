using Microsoft.Playwright;

namespace Keypod.Tests.Dashboard;

public sealed class OidcBrowserFixture : IAsyncLifetime
{
    public OidcGatewayFixture Gateway { get; } = new();
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

/// <summary>The authorization code flow in Chromium against the OpenIddict provider running in the test.</summary>
public sealed class OidcBrowserTests(OidcBrowserFixture fixture) : IClassFixture<OidcBrowserFixture>
{
    [Fact]
    public async Task An_allow_listed_user_signs_in_through_the_provider_as_a_platform_admin()
    {
        await using var context = await fixture.Chromium.NewContextAsync(fixture.Gateway.App);
        var page = await SignInAsync(context, OidcGatewayFixture.AdminEmail, screenshot: true);

        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("root");
        await Assertions.Expect(page.Locator(".mud-appbar .mud-chip")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.Locator("[data-testid=new-project]")).ToBeVisibleAsync();
        await page.GotoAsync("/admin/tokens");
        await Assertions.Expect(page.Locator("[data-testid=tokens-empty]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_user_in_the_admin_role_of_the_provider_is_a_platform_admin()
    {
        var email = $"group-admin-{Guid.NewGuid():N}@example.com";
        fixture.Gateway.Provider.UsersInAdminGroup.Add(email);
        await using var context = await fixture.Chromium.NewContextAsync(fixture.Gateway.App);
        var page = await SignInAsync(context, email);
        await Assertions.Expect(page.Locator("[data-testid=new-project]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_user_who_is_not_allow_listed_signs_in_but_is_refused_admin_rights()
    {
        var email = $"developer-{Guid.NewGuid():N}@example.com";
        await using var context = await fixture.Chromium.NewContextAsync(fixture.Gateway.App);
        var page = await SignInAsync(context, email);

        await Assertions.Expect(page.Locator("[data-testid=projects-empty]")).ToContainTextAsync("You are not a member of any project");
        await Assertions.Expect(page.Locator("[data-testid=new-project]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".mud-appbar .mud-chip")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Admin API tokens")).ToHaveCountAsync(0);

        foreach (var adminPage in new[] { "/admin/tokens", "/admin/settings" })
        {
            await page.GotoAsync(adminPage);
            page.Url.Should().Contain("/account/access-denied", $"{adminPage} is for platform admins");
            await Assertions.Expect(page.GetByText("Access denied")).ToBeVisibleAsync();
        }

        // The same session against the management API, from the page as a script of the user would call it.
        var status = await page.EvaluateAsync<int>("""
            async () => {
                const { headerName, token } = await (await fetch('/account/antiforgery')).json();
                const response = await fetch('/api/v1/projects', {
                    method: 'POST', headers: { 'Content-Type': 'application/json', [headerName]: token }, body: JSON.stringify({ name: 'mine' }) });
                return response.status;
            }
            """);
        status.Should().Be(403, "creating projects is for platform admins");
        var listed = await page.EvaluateAsync<int>("async () => (await (await fetch('/api/v1/projects')).json()).length");
        listed.Should().Be(0, "the user is a member of nothing");
    }

    async Task<IPage> SignInAsync(IBrowserContext context, string email, bool screenshot = false)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        page.Url.Should().Contain("/account/login");
        if (screenshot)
        {
            await page.ScreenshotAsync("login-sso");
        }
        await page.ClickAsync("#sso-sign-in");
        await page.WaitForSelectorAsync("#login_email");
        page.Url.Should().StartWith(fixture.Gateway.Provider.Authority, "the browser is at the identity provider");
        await page.FillAsync("#login_email", email);
        await page.ClickAsync("#idp-submit");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/" && !url.Contains("/connect/", StringComparison.Ordinal));
        return page;
    }
}
