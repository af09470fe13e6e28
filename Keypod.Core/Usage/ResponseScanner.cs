using System.Globalization;
using System.Text.Json;

namespace Keypod.Core.Usage;

/// <summary>
/// Reads the few fields Keypod needs from an OpenRouter JSON body or chunk with <see cref="Utf8JsonReader"/>:
/// no DOM, nothing allocated for the parts it skips.
/// </summary>
public static class ResponseScanner
{
    static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    /// <summary>Merges what <paramref name="json"/> says into <paramref name="facts"/>; returns false when it is not a JSON object.</summary>
    public static bool Scan(ReadOnlySpan<byte> json, ResponseFacts facts)
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    facts.GenerationId ??= StringOrNull(ref reader);
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    facts.Model = StringOrNull(ref reader) ?? facts.Model;
                }
                else if (reader.ValueTextEquals("provider"u8))
                {
                    reader.Read();
                    facts.Provider = StringOrNull(ref reader) ?? facts.Provider;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        facts.Usage = ReadUsage(ref reader, out var location);
                        facts.CostLocation = location;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    ReadError(ref reader, facts);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    static string? StringOrNull(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipAndNull(ref reader);

    static string? SkipAndNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    static void ReadError(ref Utf8JsonReader reader, ResponseFacts facts)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                facts.ErrorMessage = reader.GetString();
            }
            reader.Skip();
            return;
        }
        facts.ErrorMessage ??= "error";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                facts.ErrorMessage = StringOrNull(ref reader) ?? facts.ErrorMessage;
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                {
                    facts.ErrorCode = code;
                }
                else if (reader.TokenType == JsonTokenType.String && int.TryParse(reader.GetString(), out code))
                {
                    facts.ErrorCode = code;
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    static UpstreamUsage ReadUsage(ref Utf8JsonReader reader, out UsageCostLocation location)
    {
        int prompt = 0, completion = 0, cached = 0, cacheWrite = 0, reasoning = 0, webSearches = 0;
        decimal? cost = null, upstreamInference = null;
        var byok = false;
        int costStart = 0, costLength = 0, costDetailsOpen = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                prompt = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                completion = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("cost"u8))
            {
                cost = ReadMoney(ref reader);
                if (reader.TokenType == JsonTokenType.Number)
                {
                    costStart = (int)reader.TokenStartIndex;
                    costLength = reader.ValueSpan.Length;
                }
            }
            else if (reader.ValueTextEquals("is_byok"u8))
            {
                reader.Read();
                byok = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                var isObject = EnterObject(ref reader);
                while (isObject && NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) cached = ReadInt(ref reader);
                    else if (reader.ValueTextEquals("cache_write_tokens"u8)) cacheWrite = ReadInt(ref reader);
                    else SkipValue(ref reader);
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                var isObject = EnterObject(ref reader);
                while (isObject && NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("reasoning_tokens"u8)) reasoning = ReadInt(ref reader);
                    else SkipValue(ref reader);
                }
            }
            else if (reader.ValueTextEquals("cost_details"u8))
            {
                var isObject = EnterObject(ref reader);
                if (isObject)
                {
                    costDetailsOpen = (int)reader.TokenStartIndex;
                }
                while (isObject && NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("upstream_inference_cost"u8)) upstreamInference = ReadMoney(ref reader);
                    else SkipValue(ref reader);
                }
            }
            else if (reader.ValueTextEquals("server_tool_use_details"u8))
            {
                var isObject = EnterObject(ref reader);
                while (isObject && NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("web_search_requests"u8)) webSearches = ReadInt(ref reader);
                    else SkipValue(ref reader);
                }
            }
            else
            {
                SkipValue(ref reader);
            }
        }
        location = new UsageCostLocation(costStart, costLength, costDetailsOpen, (int)reader.TokenStartIndex);
        return new UpstreamUsage
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            CachedTokens = cached,
            CacheWriteTokens = cacheWrite,
            ReasoningTokens = reasoning,
            WebSearches = webSearches,
            Cost = cost,
            IsByok = byok,
            UpstreamInferenceCost = upstreamInference,
        };
    }

    /// <summary>Reads a property's value; true when it is an object (the reader then stands on its start).</summary>
    static bool EnterObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }
        reader.Skip();
        return false;
    }

    static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    static int ReadInt(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }
        reader.Skip();
        return 0;
    }

    static decimal? ReadMoney(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDecimal(out var number):
                return number;
            case JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text):
                return text;
            default:
                reader.Skip();
                return null;
        }
    }
}
