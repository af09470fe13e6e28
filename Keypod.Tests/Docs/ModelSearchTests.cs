using Bunit;
using Keypod.Web.Components.Pages.Models;
using MudBlazor;

namespace Keypod.Tests.Docs;

public sealed class ModelSearchTests : DocsComponentContext
{
    [Fact]
    public async Task Searching_by_name_lists_the_matching_models_with_marked_up_per_million_prices()
    {
        await FillCatalogAsync();
        var search = Render<ModelSearch>();
        search.Find("[data-testid=model-count]").TextContent.Should().Contain("414 of 414 models").And.Contain("incl. 10% Keypod markup");

        SearchBox(search).Input("claude haiku 4.5");

        search.WaitForAssertion(() => Slugs(search).Should().BeEquivalentTo("anthropic/claude-haiku-4.5", "anthropic/claude-haiku-4.5:batch"));
        var haiku = search.Find("tr[data-slug='anthropic/claude-haiku-4.5']");
        haiku.TextContent.Should().Contain("Anthropic: Claude Haiku 4.5").And.Contain("200K");
        haiku.QuerySelectorAll("td.keypod-number").Select(td => td.TextContent).Should().Equal("$1.10", "$5.50", "$0.11");
    }

    [Fact]
    public async Task Filters_narrow_the_list_and_clearing_them_brings_it_back()
    {
        await FillCatalogAsync();
        var search = Render<ModelSearch>();

        search.Find("input[data-testid=model-free-only], [data-testid=model-free-only] input").Change(true);

        search.WaitForAssertion(() => search.Find("[data-testid=model-count]").TextContent.Should().Contain("20 of 414 models"));
        search.FindAll("tr[data-testid=model-row] td.keypod-number").Should().OnlyContain(td => td.TextContent == "$0" || td.TextContent == "—");

        search.Find("input[data-testid=model-free-only], [data-testid=model-free-only] input").Change(false);
        search.WaitForAssertion(() => search.Find("[data-testid=model-count]").TextContent.Should().Contain("414 of 414 models"));
        search.FindAll("tr[data-testid=model-row]").Should().HaveCount(25, "one page at a time");
    }

    [Fact]
    public async Task The_copy_button_puts_the_slug_on_the_clipboard_and_says_so()
    {
        await FillCatalogAsync();
        var snackbars = Render<MudSnackbarProvider>();
        var search = Render<ModelSearch>();
        SearchBox(search).Input("gpt-audio-mini");
        search.WaitForAssertion(() => Slugs(search).Should().Equal("openai/gpt-audio-mini"));

        await search.Find("tr[data-slug='openai/gpt-audio-mini'] [data-testid=copy-slug]").ClickAsync(new());

        JSInterop.VerifyInvoke("keypod.copy").Arguments.Should().Equal("openai/gpt-audio-mini");
        snackbars.WaitForAssertion(() => snackbars.Markup.Should().Contain("Copied openai/gpt-audio-mini"));
    }

    [Fact]
    public void An_empty_catalog_says_why_instead_of_showing_an_empty_table()
    {
        var search = Render<ModelSearch>();

        search.Find("[data-testid=catalog-empty]").TextContent.Should().Contain("not been fetched");
        search.FindAll("[data-testid=model-results]").Should().BeEmpty();
    }

    static AngleSharp.Dom.IElement SearchBox(IRenderedComponent<ModelSearch> search) =>
        search.Find("input[data-testid=model-search-text], [data-testid=model-search-text] input");

    static List<string> Slugs(IRenderedComponent<ModelSearch> search) =>
        [.. search.FindAll("tr[data-testid=model-row]").Select(row => row.GetAttribute("data-slug")!)];
}
