using Keypod.Tests.Infrastructure;
using System.Net;
using Keypod.Core.Pricing;

namespace Keypod.Tests.Pricing;

/// <summary>The Refit client as registered by the app, against captured bodies.</summary>
public sealed class OpenRouterApiTests : IDisposable
{
    readonly TempDatabase database = new();
    readonly FakeOpenRouterHandler upstream = new();

    public void Dispose() => database.Dispose();

    [Fact]
    public async Task A_generation_record_is_read_with_its_money_as_decimals()
    {
        upstream.Serve(File.ReadAllText(Fixtures.PathOf("endpoints/generation.json")));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream);

        using var response = await app.Api.GetGenerationAsync("gen-1771967973-0hZ8J5kY7qLMOKbPx0u3");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var generation = response.Content!.Data!;
        generation.Id.Should().Be("gen-1771967973-0hZ8J5kY7qLMOKbPx0u3");
        generation.TotalCost.Should().Be(0.00003452m);
        generation.Usage.Should().Be(0.00003452m, "in a generation record usage is USD, not tokens");
        generation.UpstreamInferenceCost.Should().Be(0m);
        generation.CacheDiscount.Should().BeNull();
        generation.IsByok.Should().BeFalse();
        generation.Model.Should().Be("meta-llama/llama-4-scout-17b-16e-instruct");
        generation.ProviderName.Should().Be("DeepInfra");
        generation.Streamed.Should().BeTrue();
        generation.Cancelled.Should().BeTrue();
        generation.TokensPrompt.Should().Be(65);
        generation.TokensCompletion.Should().Be(116);
        generation.NativeTokensPrompt.Should().Be(64);
        generation.NativeTokensCompletion.Should().Be(98);
        generation.NativeTokensReasoning.Should().Be(0);
        generation.NativeTokensCached.Should().Be(0);
        generation.NumSearchResults.Should().BeNull();
        generation.GenerationTime.Should().Be(2940);
        generation.CreatedAt.Should().Be(new DateTimeOffset(2026, 2, 24, 21, 19, 33, 705, TimeSpan.Zero));

        var request = upstream.Requests.Should().ContainSingle().Subject;
        request.Uri.Should().Be(new Uri(PricingHarness.BaseUrl + "/generation?id=gen-1771967973-0hZ8J5kY7qLMOKbPx0u3"));
        request.Authorization.Should().Be("Bearer " + PricingHarness.ApiKey);
    }

    [Fact]
    public async Task A_generation_not_written_yet_is_a_404_response_not_an_exception()
    {
        upstream.Serve("""{"error":{"code":404,"message":"Generation not found"}}""", HttpStatusCode.NotFound);
        await using var app = await PricingHarness.StartAsync(database.Path, upstream);

        using var response = await app.Api.GetGenerationAsync("gen-1771967973-0hZ8J5kY7qLMOKbPx0u3");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.IsSuccessStatusCode.Should().BeFalse();
        response.Content.Should().BeNull();
    }

    [Fact]
    public async Task The_models_endpoint_reads_both_catalog_shapes()
    {
        upstream.Serve(File.ReadAllText(Fixtures.PathOf("models/models-2026-08-19.json")));
        await using var app = await PricingHarness.StartAsync(database.Path, upstream);

        var current = await app.Api.GetModelsAsync();
        upstream.Serve(File.ReadAllText(Fixtures.PathOf("models/models-2026-05-22.json")));
        var older = await app.Api.GetModelsAsync();

        current.Data.Should().HaveCount(414);
        current.TotalCount.Should().Be(414);
        older.Data.Should().HaveCount(356);
        older.TotalCount.Should().BeNull();
        upstream.Requests[0].Uri.Should().Be(new Uri(PricingHarness.BaseUrl + "/models"));
    }
}
