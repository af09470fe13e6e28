using Keypod.Core.Pricing;
using Keypod.Tests.Dashboard;
using Keypod.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Keypod.Tests.Docs;

/// <summary>One Keypod with a filled catalog, one project with keys, and Chromium, shared by the docs and model-search browser tests.</summary>
public sealed class DocsBrowserFixture : IAsyncLifetime
{
    public GatewayFixture Gateway { get; } = new();
    public Chromium Chromium { get; private set; } = null!;
    public TestKeys Keys { get; private set; } = null!;

    public KeypodApp App => Gateway.App;

    public async Task InitializeAsync()
    {
        await Gateway.InitializeAsync();
        Chromium = await Chromium.LaunchAsync();
        Keys = await App.CreateKeysAsync("Research team");
        var catalog = App.Services.GetRequiredService<PricingCatalog>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (catalog.ListedModelCount == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The catalog never filled from the fake upstream's /models.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The base URL the docs must show: the test host's, with /v1.</summary>
    public string ExpectedBaseUrl => App.BaseAddress.ToString().TrimEnd('/') + "/v1";

    /// <summary>A new page signed in as the local admin through the login form.</summary>
    public async Task<IPage> SignedInPageAsync(IBrowserContext context)
    {
        var password = await DashboardSessions.InitialAdminPasswordAsync(App);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#password", password);
        await page.ClickAsync("#local-sign-in");
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        return page;
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DocsBrowserCollection : ICollectionFixture<DocsBrowserFixture>
{
    public const string Name = "docs browser";
}
