using Keypod.Core.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keypod.Web.Auth;

/// <summary>
/// Sign-in and sign-out happen in plain HTTP requests (an interactive circuit has no response to set a cookie on).
/// Form posts are checked for an antiforgery token by <c>UseAntiforgery</c>.
/// </summary>
static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/login", LoginAsync);
        account.MapPost("/login/oidc", ([FromForm] string? returnUrl, IOptionsMonitor<KeypodOptions> options) =>
            options.CurrentValue.Auth.Oidc.IsConfigured
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOnly(returnUrl) }, [AuthenticationSetup.OidcScheme])
                : Results.Redirect("/account/login?error=sso"));
        account.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/account/login?signedOut=1");
        }).RequireAuthorization();
        // For scripts that call the management API with the dashboard cookie: changes need this token in the header.
        account.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Ok(new { headerName = tokens.HeaderName, token = tokens.RequestToken });
        }).RequireAuthorization();
    }

    static async Task<IResult> LoginAsync(
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl, HttpContext context, LocalAdminAccounts accounts)
    {
        var result = await accounts.SignInAsync(userName, password, context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted);
        var back = Uri.EscapeDataString(LocalOnly(returnUrl));
        switch (result.Outcome)
        {
            case LocalSignInOutcome.Throttled:
                var seconds = (int)Math.Ceiling(result.RetryAfter.TotalSeconds);
                return Results.Redirect($"/account/login?error=throttled&retryAfter={seconds}&returnUrl={back}");
            case LocalSignInOutcome.InvalidCredentials:
                return Results.Redirect($"/account/login?error=invalid&returnUrl={back}");
        }
        var admin = result.Admin!;
        var principal = KeypodClaims.CreatePrincipal(admin.UserName, email: null, isPlatformAdmin: true, KeypodClaims.Local,
            [new System.Security.Claims.Claim(KeypodClaims.PasswordStamp, LocalAdminAccounts.Stamp(admin.PasswordChangedAt))]);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(LocalOnly(returnUrl));
    }

    /// <summary>Only paths on this site: an open redirect after sign-in would hand a phishing page a trusted link.</summary>
    public static string LocalOnly(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.StartsWith("/account/", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/";
}
