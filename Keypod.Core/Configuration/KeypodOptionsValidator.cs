using Microsoft.Extensions.Options;

namespace Keypod.Core.Configuration;

/// <summary>Start-up checks with messages that name the setting to fix.</summary>
public sealed class KeypodOptionsValidator : IValidateOptions<KeypodOptions>
{
    public ValidateOptionsResult Validate(string? name, KeypodOptions options)
    {
        List<string> failures = [];
        if (!Uri.TryCreate(options.OpenRouter.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            failures.Add($"Keypod:OpenRouter:BaseUrl must be an absolute http(s) URL, such as https://openrouter.ai/api/v1 (got '{options.OpenRouter.BaseUrl}').");
        }
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)
            && (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https")))
        {
            failures.Add($"Keypod:PublicBaseUrl must be an absolute http(s) URL, such as https://api.example.com/v1, or empty (got '{options.PublicBaseUrl}').");
        }
        if (options.Admin.MasterKey is { Length: > 0 and < 16 })
        {
            failures.Add("Keypod:Admin:MasterKey must be at least 16 characters long, or empty to disable it.");
        }
        if (options.Billing.MarkupPercent is < 0 or > 1000)
        {
            failures.Add($"Keypod:Billing:MarkupPercent must be between 0 and 1000 (got {options.Billing.MarkupPercent}).");
        }
        if (options.Proxy.MaxRequestBodyBytes is < 1024 or > int.MaxValue)
        {
            failures.Add($"Keypod:Proxy:MaxRequestBodyBytes must be between 1024 and {int.MaxValue} (got {options.Proxy.MaxRequestBodyBytes}).");
        }
        if (options.Proxy.HeadersTimeout <= TimeSpan.Zero || options.Proxy.IdleTimeout <= TimeSpan.Zero)
        {
            failures.Add("Keypod:Proxy:HeadersTimeout and Keypod:Proxy:IdleTimeout must be positive durations, such as 00:05:00.");
        }
        if (options.Pricing.RefreshInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Keypod:Pricing:RefreshInterval must be at least 00:00:01 (default 01:00:00).");
        }
        if (options.Pricing.GenerationLookupWindow <= TimeSpan.Zero)
        {
            failures.Add("Keypod:Pricing:GenerationLookupWindow must be a positive duration (default 00:02:00).");
        }
        if (options.Auth.Oidc.IsConfigured && !Uri.TryCreate(options.Auth.Oidc.Authority, UriKind.Absolute, out _))
        {
            failures.Add($"Keypod:Auth:Oidc:Authority must be an absolute URL of the identity provider (got '{options.Auth.Oidc.Authority}').");
        }
        if (string.IsNullOrWhiteSpace(options.Auth.AdminRoleClaim) != string.IsNullOrWhiteSpace(options.Auth.AdminRoleValue))
        {
            failures.Add("Keypod:Auth:AdminRoleClaim and Keypod:Auth:AdminRoleValue must be set together (or both left empty).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
