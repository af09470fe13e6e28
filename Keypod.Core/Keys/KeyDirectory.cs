using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Keypod.Core.Configuration;
using Keypod.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Keypod.Core.Keys;

public enum AuthFailure
{
    None,
    Missing,
    Malformed,
    UnknownKey,
    ProjectDisabled,
}

/// <summary>Who is calling: resolved from a <c>project_key:user_key</c> bearer without touching the database.</summary>
public sealed record Caller(Guid ProjectId, Guid ProjectKeyId, Guid UserId, Guid UserKeyId, decimal MarkupPercent);

/// <summary>
/// An in-memory copy of every active key (hashes only), swapped atomically after each change. Management
/// operations call <see cref="ReloadAsync"/> before they return, so a revoked key fails on the next request;
/// a periodic reload keeps several instances in step.
/// </summary>
public sealed class KeyDirectory(IDbContextFactory<KeypodDbContext> dbFactory, IOptionsMonitor<KeypodOptions> options)
{
    sealed record ProjectKeyEntry(Guid Id, Guid ProjectId, byte[] Hash);
    sealed record UserKeyEntry(Guid Id, Guid UserId, Guid ProjectId, byte[] Hash);
    sealed record ProjectEntry(bool Disabled, decimal? MarkupPercent);
    sealed record Snapshot(
        FrozenDictionary<KeyHash, ProjectKeyEntry> ProjectKeys,
        FrozenDictionary<KeyHash, UserKeyEntry> UserKeys,
        FrozenDictionary<Guid, ProjectEntry> Projects);

    static readonly Snapshot Empty = new(
        FrozenDictionary<KeyHash, ProjectKeyEntry>.Empty,
        FrozenDictionary<KeyHash, UserKeyEntry>.Empty,
        FrozenDictionary<Guid, ProjectEntry>.Empty);

    volatile Snapshot snapshot = Empty;
    readonly SemaphoreSlim reloadLock = new(1, 1);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await reloadLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var projects = await db.Projects.AsNoTracking()
                .Select(p => new { p.Id, p.Disabled, p.MarkupPercent })
                .ToDictionaryAsync(p => p.Id, p => new ProjectEntry(p.Disabled, p.MarkupPercent), cancellationToken);
            var projectKeys = await db.ProjectKeys.AsNoTracking().Where(k => k.RevokedAt == null)
                .Select(k => new ProjectKeyEntry(k.Id, k.ProjectId, k.Hash)).ToListAsync(cancellationToken);
            var userKeys = await db.UserKeys.AsNoTracking().Where(k => k.RevokedAt == null)
                .Select(k => new UserKeyEntry(k.Id, k.UserId, k.ProjectId, k.Hash)).ToListAsync(cancellationToken);
            snapshot = new Snapshot(
                projectKeys.ToFrozenDictionary(k => new KeyHash(k.Hash)),
                userKeys.ToFrozenDictionary(k => new KeyHash(k.Hash)),
                projects.ToFrozenDictionary());
        }
        finally
        {
            reloadLock.Release();
        }
    }

    /// <summary>Checks the value of an <c>Authorization</c> header.</summary>
    public AuthFailure Authenticate(ReadOnlySpan<char> authorizationHeader, out Caller? caller)
    {
        caller = null;
        authorizationHeader = authorizationHeader.Trim();
        if (authorizationHeader.IsEmpty)
        {
            return AuthFailure.Missing;
        }
        if (!authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthFailure.Malformed;
        }
        if (!ApiKeys.TryParseBearer(authorizationHeader[7..].Trim(), out var projectKey, out var userKey))
        {
            return AuthFailure.Malformed;
        }

        Span<byte> projectHash = stackalloc byte[32];
        Span<byte> userHash = stackalloc byte[32];
        ApiKeys.Hash(projectKey, projectHash);
        ApiKeys.Hash(userKey, userHash);

        var current = snapshot;
        if (!current.ProjectKeys.TryGetValue(new KeyHash(projectHash), out var project)
            | !current.UserKeys.TryGetValue(new KeyHash(userHash), out var user)
            || !CryptographicOperations.FixedTimeEquals(project!.Hash, projectHash)
            || !CryptographicOperations.FixedTimeEquals(user!.Hash, userHash)
            || user.ProjectId != project.ProjectId
            || !current.Projects.TryGetValue(project.ProjectId, out var projectState))
        {
            return AuthFailure.UnknownKey;
        }
        if (projectState.Disabled)
        {
            return AuthFailure.ProjectDisabled;
        }
        caller = new Caller(project.ProjectId, project.Id, user.UserId, user.Id,
            projectState.MarkupPercent ?? options.CurrentValue.Billing.MarkupPercent);
        return AuthFailure.None;
    }

    [StructLayout(LayoutKind.Auto)]
    readonly record struct KeyHash(ulong A, ulong B, ulong C, ulong D)
    {
        public KeyHash(ReadOnlySpan<byte> sha256) : this(
            BitConverter.ToUInt64(sha256[..8]), BitConverter.ToUInt64(sha256[8..16]),
            BitConverter.ToUInt64(sha256[16..24]), BitConverter.ToUInt64(sha256[24..32]))
        {
        }
    }
}
