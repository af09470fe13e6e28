namespace Keypod.Web.Components.Pages.Docs;

/// <summary>The <c>/v1</c> base URL clients of this deployment use.</summary>
public static class ApiBaseUrl
{
    /// <summary><c>Keypod:PublicBaseUrl</c> when set (with <c>/v1</c> appended if missing), otherwise what the request was addressed to.</summary>
    public static string Resolve(string? configured, HttpRequest request)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var trimmed = configured.Trim().TrimEnd('/');
            return trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? trimmed : trimmed + "/v1";
        }
        return $"{request.Scheme}://{request.Host}{request.PathBase}/v1";
    }
}
