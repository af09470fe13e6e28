using Keypod.Core.Pricing;
using Microsoft.AspNetCore.Mvc;

namespace Keypod.Web.Proxy;

/// <summary>
/// <c>GET /v1/models</c>: public, served from the stored catalog in OpenRouter's shape (<c>{"data":[...]}</c>, each model
/// as OpenRouter sent it), honouring <c>?output_modalities=</c>. Until a first refresh has stored something: 503.
/// </summary>
static class ModelsEndpoint
{
    public static async Task GetAsync(HttpContext context, PricingCatalog catalog, [FromQuery(Name = "output_modalities")] string? outputModalities)
    {
        if (catalog.ModelsJson(outputModalities) is not { } json)
        {
            await OpenRouterError.WriteAsync(context, 503,
                "Keypod has not fetched the model catalog from OpenRouter yet; it retries in the background. Try again shortly.");
            return;
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
