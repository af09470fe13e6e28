using Keypod.Core.Pricing;
using Keypod.Web.Components.Pages.Models;

namespace Keypod.Tests.Docs;

public sealed class ModelQueryTests
{
    static readonly ModelListing Haiku = Listing("anthropic/claude-haiku-4.5", "Anthropic: Claude Haiku 4.5", 200_000, ["text", "image", "file"], 0.000001m, 0.000005m, 0.0000001m);
    static readonly ModelListing GptAudio = Listing("openai/gpt-audio-mini", "OpenAI: GPT Audio Mini", 128_000, ["text", "audio"], 0.0000006m, 0.0000024m, 0m);
    static readonly ModelListing Free = Listing("minimax/minimax-m2:free", "MiniMax: MiniMax M2 (free)", 32_000, ["text"], 0m, 0m, 0m);
    static readonly ModelListing[] All = [Haiku, GptAudio, Free];

    [Fact]
    public void Prices_are_per_million_tokens_with_the_markup_in_exact_decimals()
    {
        Haiku.PromptPerMillion.Should().Be(1.1m);
        Haiku.CompletionPerMillion.Should().Be(5.5m);
        Haiku.CachedReadPerMillion.Should().Be(0.11m);
        ModelListing.PerMillion(0.00000045m, 10m).Should().Be(0.495m);
        ModelListing.PerMillion(0.0000000208333333333333m, 10m).Should().Be(0.022916666667m, "Markup rounds once, to a pico-dollar");
        GptAudio.CachedReadPerMillion.Should().BeNull("a model without a cached-read price has no cached rate, it is not free");
    }

    [Theory]
    [InlineData(null, "—")]
    [InlineData("0", "$0")]
    [InlineData("1.1", "$1.10")]
    [InlineData("0.022916666667", "$0.0229")]
    [InlineData("0.0000275", "$0.000028")]
    [InlineData("0.0000000004", "< $0.000001")]
    public void Price_text_never_rounds_a_price_to_zero(string? perMillion, string expected) =>
        ModelListing.PriceText(perMillion is null ? null : decimal.Parse(perMillion, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(expected);

    [Fact]
    public void Every_search_term_must_match_the_name_slug_or_author()
    {
        new ModelQuery("claude haiku").Apply(All).Should().Equal(Haiku);
        new ModelQuery("anthropic").Apply(All).Should().Equal(Haiku);
        new ModelQuery("GPT-AUDIO").Apply(All).Should().Equal(GptAudio);
        new ModelQuery("claude audio").Apply(All).Should().BeEmpty();
        new ModelQuery("  ").Apply(All).Should().Equal(All);
    }

    [Fact]
    public void Filters_combine_modality_context_price_and_free()
    {
        new ModelQuery(InputModality: "audio").Apply(All).Should().Equal(GptAudio);
        new ModelQuery(InputModality: "image", OutputModality: "text").Apply(All).Should().Equal(Haiku);
        new ModelQuery(MinContextLength: 128_000).Apply(All).Should().Equal(Haiku, GptAudio);
        new ModelQuery(MaxPromptPerMillion: 1m).Apply(All).Should().Equal([GptAudio, Free], "Haiku bills $1.10 with the markup");
        new ModelQuery(FreeOnly: true).Apply(All).Should().Equal(Free);
        new ModelQuery(Order: ModelOrder.PromptPrice).Apply(All).Should().Equal(Free, GptAudio, Haiku);
    }

    [Fact]
    public void Variably_priced_routers_are_shown_as_such_and_never_pass_a_price_filter()
    {
        var router = ModelListing.From(new CatalogListing(
            new CatalogModel { Id = "openrouter/auto", Name = "Auto Router", RawJson = "{}", InputModalities = ["text"], OutputModalities = ["text"] },
            new ModelPrice { ModelId = "openrouter/auto", Prompt = -1m, Completion = -1m }), 10m);

        router.IsVariablyPriced.Should().BeTrue();
        router.PromptPerMillion.Should().BeNull();
        new ModelQuery(MaxPromptPerMillion: 1000m).Apply([router]).Should().BeEmpty();
        new ModelQuery(FreeOnly: true).Apply([router]).Should().BeEmpty();
    }

    static ModelListing Listing(string id, string name, int context, List<string> input, decimal prompt, decimal completion, decimal cacheRead) =>
        ModelListing.From(new CatalogListing(
            new CatalogModel { Id = id, Name = name, RawJson = "{}", ContextLength = context, InputModalities = input, OutputModalities = ["text"] },
            new ModelPrice { ModelId = id, Prompt = prompt, Completion = completion, InputCacheRead = cacheRead }), 10m);
}
