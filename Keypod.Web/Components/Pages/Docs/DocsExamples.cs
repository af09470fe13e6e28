namespace Keypod.Web.Components.Pages.Docs;

/// <summary>The client examples of the docs page, one per stack, all against the same base URL, key and model.</summary>
public static class DocsExamples
{
    public static IReadOnlyList<CodeSample> For(DocsValues values) =>
    [
        CodeSample.FromTemplate("example-curl", "cURL", "bash", "Call the inference endpoint directly with the combined bearer token.", """
            curl {URL}/chat/completions \
              -H "Authorization: Bearer {KEY}" \
              -H "Content-Type: application/json" \
              -d '{
                "model": "{MODEL}",
                "messages": [
                  {"role": "user", "content": "Hello!"}
                ]
              }'
            """, values),
        CodeSample.FromTemplate("example-python", "Python (openai)", "python", "The official OpenAI SDK (pip install openai) pointed at Keypod.", """
            from openai import OpenAI

            client = OpenAI(
                base_url="{URL}",
                api_key="{KEY}",
            )

            completion = client.chat.completions.create(
                model="{MODEL}",
                messages=[{"role": "user", "content": "Hello!"}],
            )
            print(completion.choices[0].message.content)
            """, values),
        CodeSample.FromTemplate("example-javascript", "JavaScript / TypeScript (openai)", "typescript", "The official OpenAI SDK for Node.js (npm install openai).", """
            import OpenAI from "openai";

            const client = new OpenAI({
              baseURL: "{URL}",
              apiKey: "{KEY}",
            });

            const completion = await client.chat.completions.create({
              model: "{MODEL}",
              messages: [{ role: "user", content: "Hello!" }],
            });
            console.log(completion.choices[0].message.content);
            """, values),
        CodeSample.FromTemplate("example-csharp", "C# (OpenAI NuGet 2.x)", "csharp", "The official OpenAI .NET library (dotnet add package OpenAI) with Keypod as its endpoint.", """
            using System.ClientModel;
            using OpenAI;
            using OpenAI.Chat;

            ChatClient client = new(
                model: "{MODEL}",
                credential: new ApiKeyCredential("{KEY}"),
                options: new OpenAIClientOptions { Endpoint = new Uri("{URL}") });

            ChatCompletion completion = await client.CompleteChatAsync("Hello!");
            Console.WriteLine(completion.Content[0].Text);
            """, values),
        CodeSample.FromTemplate("example-openrouter-sdk", "OpenRouter SDK (TypeScript)", "typescript",
            "OpenRouter's own SDK (npm install @openrouter/sdk, still in beta: its request shape has changed between versions) with Keypod as its server.", """
            import { OpenRouter } from "@openrouter/sdk";

            const openRouter = new OpenRouter({
              apiKey: "{KEY}",
              serverURL: "{URL}",
            });

            const completion = await openRouter.chat.send({
              chatRequest: {
                model: "{MODEL}",
                messages: [{ role: "user", content: "Hello!" }],
              },
            });
            console.log(completion.choices[0].message.content);
            """, values),
    ];

    public static CodeSample Endpoint(DocsValues values) =>
        CodeSample.FromTemplate("base-url-endpoint", "Inference endpoint", "text", "The chat completions endpoint of this deployment.",
            "POST {URL}/chat/completions", values);
}
