using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Dashboard;

/// <summary>Signs in to the dashboard over plain HTTP the way a browser does: login form with its antiforgery token, or the OIDC redirects.</summary>
public static partial class DashboardSessions
{
    public static HttpClient NewClient(KeypodApp app, bool followRedirects = false) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = followRedirects }) { BaseAddress = app.BaseAddress };

    public static async Task<string> FormAntiforgeryTokenAsync(HttpClient client, string path = "/account/login")
    {
        var html = await client.GetStringAsync(path);
        return AntiforgeryField().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException("No antiforgery field on " + path);
    }

    /// <summary>Posts the local login form; the answer is the redirect (to the return URL, or back to the form with an error).</summary>
    public static async Task<HttpResponseMessage> PostLocalLoginAsync(HttpClient client, string userName, string password, string returnUrl = "/")
    {
        var token = await FormAntiforgeryTokenAsync(client);
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["userName"] = userName,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    /// <summary>The one-time password from the first-start banner in Keypod's log.</summary>
    public static async Task<string> InitialAdminPasswordAsync(KeypodApp app)
    {
        var banner = await app.Log.WaitForAsync(m => m.Contains("created the local admin account", StringComparison.Ordinal));
        return BannerPassword().Match(banner).Groups[1].Value;
    }

    /// <summary>Runs the authorization code flow against the test provider with a client that follows redirects across both hosts.</summary>
    public static async Task<HttpClient> SignInWithOidcAsync(KeypodApp app, string email)
    {
        var client = NewClient(app, followRedirects: true);
        var token = await FormAntiforgeryTokenAsync(client);
        using var providerForm = await client.PostAsync("/account/login/oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["returnUrl"] = "/",
        }));
        providerForm.EnsureSuccessStatusCode();
        var html = await providerForm.Content.ReadAsStringAsync();
        var fields = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["login_email"] = email;
        using var signedIn = await client.PostAsync(new Uri(providerForm.RequestMessage!.RequestUri!, "/connect/authorize"), new FormUrlEncodedContent(fields));
        signedIn.EnsureSuccessStatusCode();
        signedIn.RequestMessage!.RequestUri!.AbsolutePath.Should().Be("/", "the flow ends back on Keypod's start page");
        return client;
    }

    /// <summary>A request token for changes made to the management API with the dashboard cookie.</summary>
    public static async Task<(string Header, string Token)> ApiAntiforgeryTokenAsync(HttpClient client)
    {
        var json = await client.GetFromJsonAsync<JsonElement>("/account/antiforgery");
        return (json.GetProperty("headerName").GetString()!, json.GetProperty("token").GetString()!);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();

    [GeneratedRegex(@"password:\s+(\S+)")]
    private static partial Regex BannerPassword();
}

/// <summary>A fake upstream, a real OpenID provider and Keypod signing in through it; one allow-listed admin email.</summary>
public sealed class OidcGatewayFixture : IAsyncLifetime
{
    public const string AdminEmail = "root@example.com";

    public FakeOpenRouter Upstream { get; private set; } = null!;
    public TestIdentityProvider Provider { get; private set; } = null!;
    public KeypodApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenRouter.StartAsync();
        Provider = await TestIdentityProvider.StartAsync();
        App = new KeypodApp(Upstream, Provider.KeypodSettings(AdminEmail));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
