using System.Text;
using Keypod.Core.Configuration;
using Keypod.Core.Pricing;
using Keypod.Tests.Dashboard.Components;
using Keypod.Tests.Infrastructure;
using Keypod.Tests.Pricing;
using Keypod.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Keypod.Tests.Docs;

/// <summary>The dashboard's bunit context plus the real pricing catalog, filled from the captured OpenRouter model list.</summary>
public abstract class DocsComponentContext : DashboardComponentContext
{
    protected DocsComponentContext()
    {
        var upstream = new FakeOpenRouterHandler();
        upstream.ServeModels(Encoding.UTF8.GetString(Fixtures.Bytes("models/models-2026-08-19.json")));
        Services.AddPricing();
        Services.AddHttpClient(Refit.UniqueName.ForType<IOpenRouterApi>()).ConfigurePrimaryHttpMessageHandler(() => upstream);
    }

    protected void Configure(Action<KeypodOptions> configure) => Services.Configure(configure);

    /// <summary>Resolves services, so sign in and configure first: bunit freezes the container at the first resolution.</summary>
    protected async Task FillCatalogAsync()
    {
        var result = await Services.GetRequiredService<PricingCatalog>().RefreshAsync();
        result.Succeeded.Should().BeTrue(result.Problem);
    }
}
