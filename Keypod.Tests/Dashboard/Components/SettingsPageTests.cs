using Bunit;
using Keypod.Web.Components.Pages.Admin;

namespace Keypod.Tests.Dashboard.Components;

public sealed class SettingsPageTests : DashboardComponentContext
{
    [Fact]
    public void The_effective_configuration_is_shown_without_its_secrets()
    {
        SignInAsAdmin();
        var page = Render<SettingsPage>();

        page.Markup.Should().Contain("Keypod:Billing:MarkupPercent").And.Contain("Keypod:Auth:Oidc:ClientSecret");
        page.Markup.Should().NotContain("sk-or-component-test-secret").And.NotContain("component-test-master-key")
            .And.NotContain("component-test-client-secret");
        var masterKeyRow = page.FindAll("tbody tr").Single(r => r.TextContent.Contains("Keypod:Admin:MasterKey", StringComparison.Ordinal));
        masterKeyRow.TextContent.Should().Contain("set (hidden)");
        page.FindAll("tbody tr").Should().NotContain(r => r.TextContent.Contains("HasApiKey", StringComparison.Ordinal), "computed values are not settings");
    }
}
