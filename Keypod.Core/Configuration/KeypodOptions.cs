namespace Keypod.Core.Configuration;

/// <summary>The <c>Keypod</c> section of appsettings.json (environment form: <c>Keypod__OpenRouter__ApiKey</c>).</summary>
public sealed class KeypodOptions
{
    public const string Section = "Keypod";

    public OpenRouterOptions OpenRouter { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public BillingOptions Billing { get; set; } = new();

    public ProxyOptions Proxy { get; set; } = new();

    public PricingOptions Pricing { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    /// <summary>
    /// The inference base URL the public docs show (<c>https://api.example.com/v1</c>; <c>/v1</c> is appended when missing).
    /// Empty: taken from each docs request (scheme, host and path base), which is wrong behind a proxy that rewrites the host.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class OpenRouterOptions
{
    public string BaseUrl { get; set; } = "https://openrouter.ai/api/v1";

    /// <summary>The platform's own upstream key. Without it Keypod serves the dashboard and answers proxy calls with a 503 that says what to set.</summary>
    public string? ApiKey
    {
        get;
        set
        {
            field = value;
            AuthorizationHeader = "Bearer " + value;
        }
    }

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>The <c>Authorization</c> value sent to OpenRouter, built once per configuration instead of per request.</summary>
    public string AuthorizationHeader { get; private set; } = "Bearer ";
}

public sealed class AdminOptions
{
    /// <summary>Bearer token for the management API; leave empty to use only admin API tokens.</summary>
    public string? MasterKey { get; set; }
}

public sealed class BillingOptions
{
    public decimal MarkupPercent { get; set; } = 10m;

    /// <summary>Report the billed amount (markup included) as <c>usage.cost</c> to clients; off means pure passthrough.</summary>
    public bool RewriteClientCost { get; set; } = true;
}

public sealed class ProxyOptions
{
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How long the upstream may take to send response headers.</summary>
    public TimeSpan HeadersTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an upstream response may go without sending a byte (OpenRouter sends keep-alive comments).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class PricingOptions
{
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long to keep polling <c>/generation</c> for a request that carried no usage before pricing it otherwise.</summary>
    public TimeSpan GenerationLookupWindow { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Dashboard sign-in: OpenID Connect when configured, and always the local admin account.</summary>
public sealed class AuthOptions
{
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Emails of OIDC users who become platform admins (entries may also be comma-separated lists).</summary>
    public List<string> AdminEmails { get; set; } = [];

    /// <summary>A claim type (such as <c>roles</c> or <c>groups</c>) whose value <see cref="AdminRoleValue"/> makes an OIDC user a platform admin.</summary>
    public string? AdminRoleClaim { get; set; }

    public string? AdminRoleValue { get; set; }

    public IEnumerable<string> NormalizedAdminEmails =>
        AdminEmails.SelectMany(e => e.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(e => e.ToLowerInvariant());
}

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The label of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>Only for a provider on a loopback address during development or tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);
}
