using System.Text;
using System.Text.Json;
using Keypod.Core.Usage;

namespace Keypod.Tests.Core;

public sealed class ClientCostRewriterTests
{
    [Theory]
    [InlineData("""{"id":"gen-1","usage":{"prompt_tokens":3,"cost":0.00002415,"cost_details":{"upstream_inference_cost":null}}}""")]
    [InlineData("""{"id":"gen-1","usage":{"prompt_tokens":3,"cost":0.00002415,"cost_details":{ }}}""")]
    [InlineData("""{"id":"gen-1","usage":{"cost_details":{"upstream_inference_cost":null},"cost":0.00002415,"prompt_tokens":3}}""")]
    [InlineData("""{"id":"gen-1","usage":{"prompt_tokens":3,"cost":0.00002415}}""")]
    [InlineData("""{"id":"gen-1","usage":{"cost":2.415E-05,"is_byok":false}}""")]
    public void Usage_cost_becomes_the_billed_amount_and_the_upstream_figure_is_kept_beside_it(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var facts = new ResponseFacts();
        ResponseScanner.Scan(bytes, facts).Should().BeTrue();

        var output = new byte[bytes.Length + ClientCostRewriter.MaxGrowth];
        var written = ClientCostRewriter.Rewrite(bytes, facts, 0.0000265650m, 0.00002415m, output);

        written.Should().BePositive();
        using var rewritten = JsonDocument.Parse(output.AsMemory(0, written));
        var usage = rewritten.RootElement.GetProperty("usage");
        usage.GetProperty("cost").GetRawText().Should().Be("0.000026565");
        usage.GetProperty("cost_details").GetProperty("keypod_upstream_cost").GetRawText().Should().Be("0.00002415");
        rewritten.RootElement.GetProperty("id").GetString().Should().Be("gen-1");
        ClientCostRewriter.Rewrite(bytes, facts, 0.0000265650m, 0.00002415m).Should().Equal(output[..written], "both overloads write the same bytes");
    }

    [Fact]
    public void A_response_without_a_cost_is_left_alone()
    {
        var bytes = """{"id":"gen-1","usage":{"prompt_tokens":3}}"""u8.ToArray();
        var facts = new ResponseFacts();
        ResponseScanner.Scan(bytes, facts);

        ClientCostRewriter.Rewrite(bytes, facts, 1m, 1m, new byte[bytes.Length + ClientCostRewriter.MaxGrowth]).Should().Be(-1);
        ClientCostRewriter.Rewrite(bytes, facts, 1m, 1m).Should().BeNull();
    }
}
