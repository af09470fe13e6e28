using System.Security.Claims;
using Bunit;
using Keypod.Core.Projects;
using Keypod.Web.Components.Pages.Docs;
using Microsoft.AspNetCore.Http;

namespace Keypod.Tests.Docs;

public sealed class DocsPageTests : DocsComponentContext
{
    static readonly string[] ExampleIds = ["example-curl", "example-python", "example-javascript", "example-csharp", "example-openrouter-sdk"];

    [Fact]
    public async Task Every_example_uses_the_configured_base_url_and_the_placeholder_key()
    {
        Configure(options => options.PublicBaseUrl = "https://llm.example.com");
        await FillCatalogAsync();

        var docs = RenderDocs(Anonymous());

        foreach (var id in ExampleIds)
        {
            var code = docs.Find($"#{id}-code");
            code.TextContent.Should().Contain("https://llm.example.com/v1").And.Contain(DocsValues.AnonymousBearer).And.Contain(DocsValues.ExampleModel);
            code.QuerySelectorAll("span.ph-url, span.ph-key, span.ph-model").Select(s => s.ClassName).Distinct().Should().HaveCount(3, $"{id} colours all three placeholders");
            docs.Find($"[data-copy-target={id}-code]").TextContent.Should().Be("Copy");
        }
        docs.Find("[data-testid=base-url]").TextContent.Should().Be("https://llm.example.com/v1");
        docs.Find("#base-url-endpoint-code").TextContent.Should().Be("POST https://llm.example.com/v1/chat/completions");
        docs.FindAll("[data-testid=docs-reader-key]").Should().BeEmpty();
    }

    [Fact]
    public async Task Without_the_setting_the_base_url_comes_from_the_request()
    {
        await FillCatalogAsync();

        var docs = RenderDocs(Anonymous("keypod.internal:5080", "https"));

        docs.Find("#example-python-code").TextContent.Should().Contain("base_url=\"https://keypod.internal:5080/v1\"");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pricing_states_the_live_markup_and_what_usage_cost_means_here(bool rewriteClientCost)
    {
        Configure(options =>
        {
            options.Billing.MarkupPercent = 12.5m;
            options.Billing.RewriteClientCost = rewriteClientCost;
        });
        await FillCatalogAsync();

        var docs = RenderDocs(Anonymous());

        docs.Find("[data-testid=pricing-markup]").TextContent.Should().Contain("12.5%");
        var clientCost = docs.Find("[data-testid=pricing-client-cost]").TextContent;
        if (rewriteClientCost)
        {
            clientCost.Should().Contain("RewriteClientCost = true").And.Contain("billed amount").And.Contain("usage.cost_details.keypod_upstream_cost");
        }
        else
        {
            clientCost.Should().Contain("RewriteClientCost = false").And.Contain("passes through unchanged").And.NotContain("keypod_upstream_cost");
        }
        docs.Markup.Should().Contain("billed once, never twice");
    }

    [Fact]
    public async Task A_signed_in_member_sees_their_projects_key_prefixes_and_never_a_secret()
    {
        var project = await CreateProjectAsync("Research");
        await CreateProjectAsync("Another project without keys");
        await Administration.AddMemberAsync(project.Id, "ada@example.com", ProjectRole.Viewer);
        var projectKey = (await Administration.CreateProjectKeyAsync(project.Id, "ci")).Value!;
        var user = (await Administration.CreateUserAsync(project.Id, "Ada", "ada@example.com")).Value!;
        var userKey = (await Administration.CreateUserKeyAsync(project.Id, user.Id, "laptop")).Value!;
        await FillCatalogAsync();

        var docs = RenderDocs(SignedIn("ada@example.com"));

        docs.Find("[data-testid=docs-reader-key]").TextContent.Should().Contain("Research");
        docs.Find("#example-curl-code").TextContent.Should().Contain($"Bearer {projectKey.Prefix}…:{userKey.Prefix}…");
        docs.Markup.Should().NotContain(projectKey.Plaintext).And.NotContain(userKey.Plaintext);
    }

    [Fact]
    public async Task Someone_who_sees_no_project_with_a_key_gets_the_placeholders()
    {
        await CreateProjectAsync("Not theirs");
        await FillCatalogAsync();

        var docs = RenderDocs(SignedIn("stranger@example.com"));

        docs.Find("#example-curl-code").TextContent.Should().Contain(DocsValues.AnonymousBearer);
        docs.FindAll("[data-testid=docs-reader-key]").Should().BeEmpty();
    }

    IRenderedComponent<DocsPage> RenderDocs(HttpContext context) => Render<DocsPage>(parameters => parameters.AddCascadingValue(context));

    static DefaultHttpContext Anonymous(string host = "localhost:5000", string scheme = "http")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        return context;
    }

    static DefaultHttpContext SignedIn(string email)
    {
        var context = Anonymous();
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Email, email)], "test"));
        return context;
    }
}
