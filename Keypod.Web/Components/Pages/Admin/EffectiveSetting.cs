using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Keypod.Core.Configuration;

namespace Keypod.Web.Components.Pages.Admin;

/// <summary>One configuration value as the settings page shows it; a secret carries only whether it is set, never its value.</summary>
public sealed record EffectiveSetting(string Path, string? Value, bool IsSecret)
{
    /// <summary>Settings only: computed properties such as <c>HasApiKey</c> are not something an operator sets.</summary>
    static readonly JsonSerializerOptions SettableOnly = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    foreach (var property in info.Properties.Where(p => p.Set is null && !p.PropertyType.IsAssignableTo(typeof(System.Collections.IList))).ToList())
                    {
                        info.Properties.Remove(property);
                    }
                },
            },
        },
    };

    static readonly string[] SecretNames = ["ApiKey", "MasterKey", "ClientSecret", "Password", "Secret", "Token"];

    /// <summary>
    /// Flattens the bound options (so defaults and settings added later show up too) into <c>Keypod:Section:Name</c> paths.
    /// </summary>
    public static List<EffectiveSetting> From(KeypodOptions options)
    {
        var json = JsonSerializer.SerializeToElement(options, SettableOnly);
        var settings = new List<EffectiveSetting>();
        Flatten(KeypodOptions.Section, json, settings);
        return settings;
    }

    static void Flatten(string path, JsonElement element, List<EffectiveSetting> settings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten($"{path}:{property.Name}", property.Value, settings);
                }
                break;
            case JsonValueKind.Array:
                settings.Add(Leaf(path, string.Join(", ", element.EnumerateArray().Select(e => e.ToString()))));
                break;
            default:
                settings.Add(Leaf(path, element.ValueKind == JsonValueKind.Null ? null : element.ToString()));
                break;
        }
    }

    static EffectiveSetting Leaf(string path, string? value)
    {
        var name = path[(path.LastIndexOf(':') + 1)..];
        var secret = SecretNames.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));
        value = string.IsNullOrEmpty(value) ? null : value;
        return secret ? new EffectiveSetting(path, value is null ? null : "set", true) : new EffectiveSetting(path, value, false);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path}={Value}");
}
