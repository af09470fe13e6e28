using System.Text.RegularExpressions;

namespace Keypod.Web.Components.Pages.Docs;

/// <summary>The three things a reader replaces in every snippet, each drawn in its own colour.</summary>
public enum Placeholder
{
    None,
    Key,
    Model,
    Url,
}

public sealed record SnippetPart(string Text, Placeholder Kind);

/// <summary>A snippet split into plain text and placeholders; what the copy button copies is <see cref="PlainText"/>.</summary>
public sealed partial record CodeSample(string Id, string Title, string Language, string Description, IReadOnlyList<SnippetPart> Parts)
{
    public string PlainText => string.Concat(Parts.Select(p => p.Text));

    /// <summary>Builds a sample from a template with <c>{KEY}</c>, <c>{MODEL}</c> and <c>{URL}</c> markers.</summary>
    public static CodeSample FromTemplate(string id, string title, string language, string description, string template, DocsValues values)
    {
        var parts = new List<SnippetPart>();
        var position = 0;
        foreach (Match marker in Marker().Matches(template))
        {
            if (marker.Index > position)
            {
                parts.Add(new SnippetPart(template[position..marker.Index], Placeholder.None));
            }
            parts.Add(marker.Groups[1].Value switch
            {
                "KEY" => new SnippetPart(values.Bearer, Placeholder.Key),
                "MODEL" => new SnippetPart(values.Model, Placeholder.Model),
                _ => new SnippetPart(values.BaseUrl, Placeholder.Url),
            });
            position = marker.Index + marker.Length;
        }
        if (position < template.Length)
        {
            parts.Add(new SnippetPart(template[position..], Placeholder.None));
        }
        return new CodeSample(id, title, language, description, parts);
    }

    [GeneratedRegex(@"\{(KEY|MODEL|URL)\}")]
    private static partial Regex Marker();
}

/// <summary>What fills the placeholders on this deployment, for this reader.</summary>
public sealed record DocsValues(string BaseUrl, string Bearer, string Model)
{
    public const string ExampleModel = "openrouter/model-from-search";
    public const string AnonymousBearer = "kp_proj_xxxxxxxx:user_xxxxxxxx";
}
