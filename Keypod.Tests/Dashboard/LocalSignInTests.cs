using System.Net;
using Keypod.Tests.Infrastructure;

namespace Keypod.Tests.Dashboard;

public sealed class LocalSignInTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task First_start_logs_a_one_time_password_that_signs_in_and_wrong_passwords_are_refused_then_throttled()
    {
        var password = await DashboardSessions.InitialAdminPasswordAsync(fixture.App);
        password.Should().HaveLength(24);
        fixture.App.Log.Messages.Count(m => m.Contains(password, StringComparison.Ordinal)).Should().Be(1, "the password is logged exactly once");

        using var anonymous = DashboardSessions.NewClient(fixture.App);
        using (var start = await anonymous.GetAsync("/"))
        {
            start.StatusCode.Should().Be(HttpStatusCode.Redirect);
            start.Headers.Location!.ToString().Should().Contain("/account/login");
        }

        using var browser = DashboardSessions.NewClient(fixture.App);
        using (var signIn = await DashboardSessions.PostLocalLoginAsync(browser, "admin", password, "/admin/settings"))
        {
            signIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
            signIn.Headers.Location!.ToString().Should().Be("/admin/settings");
        }
        using (var settings = await browser.GetAsync("/admin/settings"))
        {
            settings.StatusCode.Should().Be(HttpStatusCode.OK);
            (await settings.Content.ReadAsStringAsync()).Should().Contain("Keypod:Billing:MarkupPercent").And.NotContain(KeypodApp.UpstreamKey);
        }

        using var attacker = DashboardSessions.NewClient(fixture.App);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await DashboardSessions.PostLocalLoginAsync(attacker, "admin", "wrong-password-" + attempt);
            wrong.Headers.Location!.ToString().Should().Contain("error=invalid", $"attempt {attempt} is refused as a wrong password");
        }
        using (var throttled = await DashboardSessions.PostLocalLoginAsync(attacker, "admin", password))
        {
            throttled.Headers.Location!.ToString().Should().Contain("error=throttled", "after five failures even the right password waits");
            (throttled.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).Should()
                .NotContain(c => c.StartsWith("keypod.session", StringComparison.Ordinal));
        }
        (await attacker.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.Redirect, "no session was issued");
    }

    [Fact]
    public async Task The_login_form_is_refused_without_its_antiforgery_token()
    {
        var password = await DashboardSessions.InitialAdminPasswordAsync(fixture.App);
        using var client = DashboardSessions.NewClient(fixture.App);
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "nobody-" + Guid.NewGuid().ToString("N"),
            ["password"] = password,
        }));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
