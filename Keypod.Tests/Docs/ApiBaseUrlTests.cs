using Keypod.Web.Components.Pages.Docs;
using Microsoft.AspNetCore.Http;

namespace Keypod.Tests.Docs;

public sealed class ApiBaseUrlTests
{
    [Fact]
    public void Without_a_setting_the_base_URL_is_what_the_request_was_addressed_to()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("keypod.example.com:8443");
        context.Request.PathBase = "/gateway";

        ApiBaseUrl.Resolve(null, context.Request).Should().Be("https://keypod.example.com:8443/gateway/v1");
        ApiBaseUrl.Resolve("  ", context.Request).Should().Be("https://keypod.example.com:8443/gateway/v1");
    }

    [Theory]
    [InlineData("https://api.example.com", "https://api.example.com/v1")]
    [InlineData("https://api.example.com/", "https://api.example.com/v1")]
    [InlineData("https://api.example.com/v1/", "https://api.example.com/v1")]
    [InlineData("https://example.com/llm/v1", "https://example.com/llm/v1")]
    public void The_setting_wins_and_gets_v1_when_it_lacks_it(string configured, string expected) =>
        ApiBaseUrl.Resolve(configured, new DefaultHttpContext().Request).Should().Be(expected);

    [Fact]
    public void Placeholders_are_split_out_so_they_can_be_coloured_and_the_copy_is_plain_text()
    {
        var values = new DocsValues("https://api.example.com/v1", DocsValues.AnonymousBearer, DocsValues.ExampleModel);
        var sample = CodeSample.FromTemplate("x", "X", "text", "", "curl {URL}/chat -H \"Bearer {KEY}\" -d '{\"model\":\"{MODEL}\"}'", values);

        sample.PlainText.Should().Be("curl https://api.example.com/v1/chat -H \"Bearer kp_proj_xxxxxxxx:user_xxxxxxxx\" -d '{\"model\":\"openrouter/model-from-search\"}'");
        sample.Parts.Where(p => p.Kind != Placeholder.None).Select(p => p.Kind).Should().Equal(Placeholder.Url, Placeholder.Key, Placeholder.Model);
        DocsExamples.For(values).Should().AllSatisfy(example =>
        {
            example.Parts.Select(p => p.Kind).Should().Contain([Placeholder.Url, Placeholder.Key, Placeholder.Model], $"{example.Title} uses all three");
            example.PlainText.Should().NotContain("{URL}").And.NotContain("{KEY}").And.NotContain("{MODEL}");
        });
    }
}
