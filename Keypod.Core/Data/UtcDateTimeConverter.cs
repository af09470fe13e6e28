using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Keypod.Core.Data;

/// <summary>Keypod keeps time in UTC; values read back are marked as UTC so they serialize with a <c>Z</c>.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
