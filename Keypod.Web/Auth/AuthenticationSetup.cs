using System.Security.Claims;
using Keypod.Core.Configuration;
using Keypod.Web.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Keypod.Web.Auth;

static class AuthenticationSetup
{
    public const string OidcScheme = "oidc";

    /// <summary>Picks the bearer handler when an Authorization header is present, else the dashboard cookie.</summary>
    public const string ManagementScheme = "Management";

    public const string PlatformAdminPolicy = "PlatformAdmin";

    public static void AddKeypodAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var auth = builder.Configuration.GetSection(KeypodOptions.Section).Get<KeypodOptions>()?.Auth ?? new AuthOptions();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LoginThrottling>();
        services.AddSingleton<LocalAdminAccounts>();

        var authentication = services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "keypod.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = "/account/login";
                cookie.LogoutPath = "/account/logout";
                cookie.AccessDeniedPath = "/account/access-denied";
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = ValidateLocalSessionAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ManagementBearerHandler>(ManagementBearerHandler.SchemeName, null)
            .AddPolicyScheme(ManagementScheme, "Management API", policy =>
            {
                policy.ForwardDefaultSelector = context => context.Request.Headers.Authorization.Count > 0
                    ? ManagementBearerHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme;
                // API callers get JSON 401/403, never a redirect to the login page.
                policy.ForwardChallenge = ManagementBearerHandler.SchemeName;
                policy.ForwardForbid = ManagementBearerHandler.SchemeName;
            });

        if (auth.Oidc.IsConfigured)
        {
            authentication.AddOpenIdConnect(OidcScheme, auth.Oidc.DisplayName, oidc =>
            {
                oidc.Authority = auth.Oidc.Authority;
                oidc.ClientId = auth.Oidc.ClientId;
                oidc.ClientSecret = auth.Oidc.ClientSecret;
                oidc.RequireHttpsMetadata = auth.Oidc.RequireHttpsMetadata;
                oidc.ResponseType = "code";
                oidc.UsePkce = true;
                // The code comes back on a top-level GET, so the correlation cookies can stay SameSite=Lax (form_post would need
                // SameSite=None, which browsers only accept on https).
                oidc.ResponseMode = "query";
                oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                oidc.NonceCookie.SameSite = SameSiteMode.Lax;
                oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                oidc.Scope.Clear();
                oidc.Scope.Add("openid");
                oidc.Scope.Add("profile");
                oidc.Scope.Add("email");
                oidc.MapInboundClaims = false;
                oidc.SaveTokens = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                oidc.Events.OnTokenValidated = context =>
                {
                    context.Principal = OidcSignIn.ToSessionPrincipal(context.Principal!, auth);
                    return Task.CompletedTask;
                };
                oidc.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect("/account/login?error=sso");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(ManagementApi.Policy, policy => policy
                .AddAuthenticationSchemes(ManagementScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(PlatformAdminPolicy, policy => policy.RequireRole(KeypodClaims.AdminRole));
        services.AddCascadingAuthenticationState();
    }

    /// <summary>A password reset ends every local session issued before it.</summary>
    static async Task ValidateLocalSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal?.FindFirst(KeypodClaims.SignInMethod)?.Value != KeypodClaims.Local)
        {
            return;
        }
        var accounts = context.HttpContext.RequestServices.GetRequiredService<LocalAdminAccounts>();
        if (!await accounts.IsCurrentAsync(principal.Identity?.Name ?? "", principal.FindFirst(KeypodClaims.PasswordStamp)?.Value))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>Turns an identity provider's claims into Keypod's session claims.</summary>
static class OidcSignIn
{
    public static ClaimsPrincipal ToSessionPrincipal(ClaimsPrincipal external, AuthOptions auth)
    {
        var subject = external.FindFirst("sub")?.Value ?? "unknown";
        // An address the provider did not verify must not grant admin rights or project membership.
        var email = external.FindFirst("email_verified")?.Value is "false" ? null : external.FindFirst("email")?.Value;
        var name = external.FindFirst("name")?.Value ?? email ?? subject;
        return KeypodClaims.CreatePrincipal(name, email, IsPlatformAdmin(external, email, auth), KeypodClaims.Oidc,
            [new Claim("sub", subject)]);
    }

    public static bool IsPlatformAdmin(ClaimsPrincipal external, string? email, AuthOptions auth)
    {
        if (email is not null && auth.NormalizedAdminEmails.Contains(email.Trim().ToLowerInvariant()))
        {
            return true;
        }
        return !string.IsNullOrWhiteSpace(auth.AdminRoleClaim) && !string.IsNullOrWhiteSpace(auth.AdminRoleValue)
            && external.FindAll(auth.AdminRoleClaim).Any(c => string.Equals(c.Value, auth.AdminRoleValue, StringComparison.Ordinal));
    }
}
