using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Keypod.Core.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Management;

/// <summary>Authenticates <c>Authorization: Bearer &lt;master key&gt;</c> on the management API as a platform admin.</summary>
sealed class ManagementBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<KeypodOptions> keypodOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ManagementBearer";
    public const string AdminRole = "admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var presented = header[7..].Trim();
        var masterKey = keypodOptions.CurrentValue.Admin.MasterKey;
        if (!string.IsNullOrEmpty(masterKey) && FixedTimeEquals(presented, masterKey))
        {
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, "master-key"), new Claim(ClaimTypes.Role, AdminRole)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
        return Task.FromResult(AuthenticateResult.Fail("Invalid management token."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.ContentType = "application/json";
        await Response.WriteAsync(Proxy.OpenRouterError.Envelope(401,
            "Management API: send Authorization: Bearer <master key or admin API token>."));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 403;
        Response.ContentType = "application/json";
        await Response.WriteAsync(Proxy.OpenRouterError.Envelope(403, "You may not manage this resource."));
    }

    /// <summary>Hashing both sides first makes the comparison constant-time whatever the lengths.</summary>
    static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
