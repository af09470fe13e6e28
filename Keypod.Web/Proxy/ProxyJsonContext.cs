using System.Text.Json.Serialization;

namespace Keypod.Web.Proxy;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorEnvelope))]
partial class ProxyJsonContext : JsonSerializerContext;
