using Keypod.Tests.Infrastructure;
using System.Net;
using System.Text.Json;
using Keypod.Core.Pricing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Keypod.Tests.Pricing;

/// <summary><c>GET /v1/models</c> through the whole app, its catalog filled by the start-up refresh from a fake upstream.</summary>
public sealed class ModelsEndpointTests : IDisposable
{
    readonly TempDatabase database = new();
    readonly FakeOpenRouterHandler upstream = new();

    public void Dispose() => database.Dispose();

    [Fact]
    public async Task Before_any_catalog_is_stored_the_answer_is_a_503_in_openrouter_envelope()
    {
        upstream.Fail(new HttpRequestException("Connection refused"));
        await using var app = CreateApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/v1/models");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("error").GetProperty("code").GetInt32().Should().Be(503);
        body.RootElement.GetProperty("error").GetProperty("message").GetString().Should().Contain("model catalog");
    }

    [Fact]
    public async Task The_start_up_refresh_fills_the_catalog_and_it_is_served_in_openrouter_shape()
    {
        upstream.ServeModels(File.ReadAllText(Fixtures.PathOf("models/models-all-modalities-2026-08-19.json")));
        await using var app = CreateApp();
        using var client = app.CreateClient();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage response;
        while ((response = await client.GetAsync("/v1/models")).StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the start-up refresh should have stored the catalog");
            response.Dispose();
            await Task.Delay(50);
        }

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var served = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("models/models-2026-08-19.json")));
        served.RootElement.GetProperty("data").EnumerateArray().Zip(expected.RootElement.GetProperty("data").EnumerateArray())
            .Should().HaveCount(414).And.OnlyContain(pair => JsonElement.DeepEquals(pair.First, pair.Second));
        response.Dispose();

        using var all = JsonDocument.Parse(await client.GetStringAsync("/v1/models?output_modalities=all"));
        all.RootElement.GetProperty("data").GetArrayLength().Should().Be(549);
        using var images = JsonDocument.Parse(await client.GetStringAsync("/v1/models?output_modalities=image"));
        images.RootElement.GetProperty("data").EnumerateArray()
            .Should().OnlyContain(m => m.GetProperty("architecture").GetProperty("output_modalities").EnumerateArray().Any(o => o.GetString() == "image"))
            .And.HaveCount(45);
    }

    WebApplicationFactory<Program> CreateApp() => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseEnvironment("Development");
        web.UseSetting("ConnectionStrings:Keypod", $"Data Source={database.Path};Pooling=False");
        web.UseSetting("Keypod:OpenRouter:ApiKey", PricingHarness.ApiKey);
        web.ConfigureServices(services =>
            services.AddHttpClient(Refit.UniqueName.ForType<IOpenRouterApi>()).ConfigurePrimaryHttpMessageHandler(() => upstream));
    });
}
