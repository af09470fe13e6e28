namespace Keypod.Web.Proxy;

/// <summary><c>GET /v1/models</c>: public, OpenRouter's catalog passed through (query string included).</summary>
static class ModelsEndpoint
{
    public static async Task GetAsync(HttpContext context, UpstreamClient upstream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, upstream.UriFor("models" + context.Request.QueryString));
        try
        {
            using var response = await upstream.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (HttpRequestException exception)
        {
            await OpenRouterError.WriteAsync(context, 502, "The model catalog could not be fetched from the upstream: " + exception.HttpRequestError + ".");
        }
    }
}
