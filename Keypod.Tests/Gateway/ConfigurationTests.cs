using Keypod.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Keypod.Tests.Gateway;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Keypod:Billing:MarkupPercent", "-5", "Keypod:Billing:MarkupPercent must be between 0 and 1000")]
    [InlineData("Keypod:OpenRouter:BaseUrl", "not a url", "Keypod:OpenRouter:BaseUrl must be an absolute http(s) URL")]
    [InlineData("Keypod:Admin:MasterKey", "short", "Keypod:Admin:MasterKey must be at least 16 characters")]
    public async Task Invalid_settings_stop_start_up_with_a_message_naming_the_setting(string key, string value, string message)
    {
        await using var upstream = await FakeOpenRouter.StartAsync();

        var start = () => new KeypodApp(upstream, new Dictionary<string, string?> { [key] = value });

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(message);
    }
}
