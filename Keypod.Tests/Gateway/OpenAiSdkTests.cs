using System.ClientModel;
using Keypod.Core.Ledger;
using Keypod.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace Keypod.Tests.Gateway;

/// <summary>The official OpenAI .NET SDK, pointed at Keypod's /v1, as a developer would use it.</summary>
public sealed class OpenAiSdkTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    OpenAIClientOptions Options => new() { Endpoint = new Uri(fixture.App.BaseAddress, "/v1") };

    [Fact]
    public async Task Chat_completion()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var chat = new ChatClient("anthropic/claude-haiku-4.5", new ApiKeyCredential(keys.Bearer), Options);

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Hi")]);

        completion.Content.Should().NotBeEmpty();
        completion.Content[0].Text.Should().NotBeNullOrWhiteSpace();
        completion.Usage.InputTokenCount.Should().BePositive();
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        row.CostSource.Should().Be(CostSource.Upstream);
        row.PromptTokens.Should().Be(completion.Usage.InputTokenCount);
        fixture.Upstream.LastRequest.Headers["Authorization"].Should().Be("Bearer " + KeypodApp.UpstreamKey);
    }

    [Fact]
    public async Task Streaming_chat_completion()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var chat = new ChatClient("anthropic/claude-haiku-4.5", new ApiKeyCredential(keys.Bearer), Options);

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hi")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            usage ??= update.Usage;
        }

        text.ToString().Should().NotBeEmpty();
        usage.Should().NotBeNull();
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        row.Stream.Should().BeTrue();
        row.CompletionTokens.Should().Be(usage!.OutputTokenCount);
        row.CostSource.Should().Be(CostSource.Upstream);
    }

    [Fact]
    public async Task Embeddings()
    {
        var keys = await fixture.App.CreateKeysAsync();
        var embeddings = new EmbeddingClient("openai/text-embedding-3-small", new ApiKeyCredential(keys.Bearer), Options);

        OpenAIEmbedding embedding = await embeddings.GenerateEmbeddingAsync("Hello");

        embedding.ToFloats().Length.Should().BePositive();
        var row = (await fixture.App.LedgerAsync(keys.ProjectId)).Single();
        row.Endpoint.Should().Be("embeddings");
        row.UpstreamCostUsd.Should().Be(0.00000014m);
        row.BilledUsd.Should().Be(0.000000154m);
    }
}
