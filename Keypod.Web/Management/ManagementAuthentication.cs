using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Keypod.Core.Keys;
using Keypod.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Management;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;master key | admin API token&gt;</c> on the management API as a platform admin.
/// Admin tokens are looked up by their SHA-256 on every call, so a revoked token fails at once on every instance.
/// </summary>
sealed class ManagementBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<KeypodOptions> keypodOptions,
    IDbContextFactory<KeypodDbContext> dbFactory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ManagementBearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var presented = header[7..].Trim();
        var masterKey = keypodOptions.CurrentValue.Admin.MasterKey;
        if (!string.IsNullOrEmpty(masterKey) && FixedTimeEquals(presented, masterKey))
        {
            return Success("master-key");
        }
        if (presented.StartsWith(ApiKeys.AdminTokenPrefix, StringComparison.Ordinal) && presented.Length <= 128)
        {
            var hash = ApiKeys.Hash(presented);
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            // The lookup is by hash: a match is a match of the full SHA-256, so the comparison leaks nothing useful about the token.
            var name = await db.AdminApiTokens.AsNoTracking().Where(t => t.Hash == hash && t.RevokedAt == null)
                .Select(t => t.Name).FirstOrDefaultAsync(Context.RequestAborted);
            if (name is not null)
            {
                return Success("admin-token:" + name);
            }
        }
        return AuthenticateResult.Fail("Invalid management token.");
    }

    AuthenticateResult Success(string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, KeypodClaims.AdminRole)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.ContentType = "application/json";
        await Response.WriteAsync(Proxy.OpenRouterError.Envelope(401,
            "Management API: send Authorization: Bearer <master key or admin API token>, or sign in to the dashboard."));
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
