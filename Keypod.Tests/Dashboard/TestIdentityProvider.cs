using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Keypod.Tests.Dashboard;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server, in degraded mode: one hard-coded client, no database) on a loopback
/// Kestrel port. Its authorization endpoint shows a small sign-in form that asks only for an email, then issues an authorization
/// code; the token endpoint checks the client secret and PKCE and returns a signed ID token carrying email, name and roles.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "keypod-dashboard";
    public const string ClientSecret = "test-client-secret-9f8e7d6c5b4a";
    public const string AdminGroup = "keypod-admins";

    readonly WebApplication app;

    TestIdentityProvider(WebApplication app, string authority)
    {
        this.app = app;
        Authority = authority;
    }

    public string Authority { get; }

    /// <summary>Users whose ID token carries <c>roles: keypod-admins</c>.</summary>
    public HashSet<string> UsersInAdminGroup { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        TestIdentityProvider? provider = null;
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
            server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            server.DisableAccessTokenEncryption();
            server.EnableDegradedMode();
            server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }
                else if (context.RedirectUri is null || !context.RedirectUri.EndsWith("/signin-oidc", StringComparison.Ordinal))
                {
                    context.Reject(Errors.InvalidRequest, "Unexpected redirect_uri.");
                }
                return default;
            }));
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }
                return default;
            }));
        });
        var app = builder.Build();
        Func<HttpContext, Task<IResult>> authorize = context => provider!.AuthorizeAsync(context);
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], authorize);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        provider = new TestIdentityProvider(app, address + "/");
        return provider;
    }

    /// <summary>Keypod settings that point its OIDC sign-in at this provider.</summary>
    public Dictionary<string, string?> KeypodSettings(params string[] adminEmails)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Keypod:Auth:Oidc:Authority"] = Authority,
            ["Keypod:Auth:Oidc:ClientId"] = ClientId,
            ["Keypod:Auth:Oidc:ClientSecret"] = ClientSecret,
            ["Keypod:Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Keypod:Auth:Oidc:DisplayName"] = "Test IdP",
            ["Keypod:Auth:AdminRoleClaim"] = "roles",
            ["Keypod:Auth:AdminRoleValue"] = AdminGroup,
        };
        for (var i = 0; i < adminEmails.Length; i++)
        {
            settings[$"Keypod:Auth:AdminEmails:{i}"] = adminEmails[i];
        }
        return settings;
    }

    async Task<IResult> AuthorizeAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var email = context.Request.HasFormContentType ? context.Request.Form["login_email"].ToString() : "";
        if (string.IsNullOrWhiteSpace(email))
        {
            return Results.Content(LoginForm(request), "text/html");
        }
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "sub-" + email.ToLowerInvariant())
            .SetClaim(Claims.Email, email)
            .SetClaim(Claims.EmailVerified, true)
            .SetClaim(Claims.Name, email.Split('@')[0]);
        if (UsersInAdminGroup.Contains(email))
        {
            identity.AddClaim(new Claim("roles", AdminGroup));
        }
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        await Task.CompletedTask;
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Re-posts every authorization request parameter with the email the person typed.</summary>
    static string LoginForm(OpenIddictRequest request)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><head><title>Test IdP</title></head><body><h1>Test IdP sign-in</h1>");
        html.Append("<form method=\"post\" action=\"/connect/authorize\">");
        foreach (var (name, value) in request.GetParameters())
        {
            html.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(value.ToString())}\" />");
        }
        html.Append("<label>Email <input id=\"login_email\" name=\"login_email\" type=\"email\" /></label>");
        html.Append("<button id=\"idp-submit\" type=\"submit\">Sign in</button></form></body></html>");
        return html.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
