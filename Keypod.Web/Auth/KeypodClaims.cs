using System.Security.Claims;
using Keypod.Core.Access;

namespace Keypod.Web.Auth;

/// <summary>The claims of a dashboard session, and the <see cref="Actor"/> they stand for.</summary>
static class KeypodClaims
{
    public const string AdminRole = "admin";
    public const string SignInMethod = "keypod:signin";
    public const string PasswordStamp = "keypod:pwd";
    public const string Local = "local";
    public const string Oidc = "oidc";

    public static ClaimsPrincipal CreatePrincipal(string name, string? email, bool isPlatformAdmin, string signInMethod, IEnumerable<Claim>? extra = null)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), new(SignInMethod, signInMethod)];
        if (!string.IsNullOrWhiteSpace(email))
        {
            claims.Add(new Claim(ClaimTypes.Email, email));
        }
        if (isPlatformAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }
        claims.AddRange(extra ?? []);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, signInMethod, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Actor ToActor(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? new Actor(user.Identity.Name ?? "unknown", user.IsInRole(AdminRole), user.FindFirst(ClaimTypes.Email)?.Value)
            : new Actor("anonymous", false, null);
}
