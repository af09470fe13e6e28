using System.Net.Http.Headers;
using Keypod.Core.Billing;
using Keypod.Core.Configuration;
using Keypod.Core.Pricing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace Keypod.Web.Hosting;

static class PricingRegistration
{
    /// <summary>
    /// The OpenRouter Refit client (<see cref="IOpenRouterApi"/>), the <see cref="PricingCatalog"/> and its hosted
    /// <see cref="CatalogRefresher"/>. Needs <c>KeypodOptions</c> and an <c>IDbContextFactory&lt;KeypodDbContext&gt;</c>.
    /// </summary>
    public static IServiceCollection AddPricing(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddRefitGeneratedClient<IOpenRouterApi>(OpenRouterJson.Context)
            .ConfigureHttpClient((provider, client) =>
            {
                var openRouter = provider.GetRequiredService<IOptionsMonitor<KeypodOptions>>().CurrentValue.OpenRouter;
                client.BaseAddress = new Uri(openRouter.BaseUrl.TrimEnd('/'));
                client.Timeout = TimeSpan.FromMinutes(1);
                if (openRouter.HasApiKey)
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", openRouter.ApiKey);
                }
            })
            .RedactLoggedHeaders(_ => true);
        services.AddSingleton<PricingCatalog>();
        services.AddSingleton<CatalogRefresher>();
        services.AddHostedService(provider => provider.GetRequiredService<CatalogRefresher>());
        services.AddSingleton<CostResolver>();
        services.AddHostedService(provider => provider.GetRequiredService<CostResolver>());
        return services;
    }
}
