using System.Security.Cryptography;
using Keypod.Core.Access;
using Keypod.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Keypod.Web.Auth;

public enum LocalSignInOutcome
{
    Succeeded,
    InvalidCredentials,
    Throttled,
}

public sealed record LocalSignInResult(LocalSignInOutcome Outcome, LocalAdmin? Admin = null, TimeSpan RetryAfter = default);

/// <summary>The local admin account: created with a one-time password on first start, checked with PBKDF2 behind the login throttle.</summary>
sealed class LocalAdminAccounts(
    IDbContextFactory<KeypodDbContext> dbFactory,
    LoginThrottling throttling,
    ILogger<LocalAdminAccounts> logger)
{
    public const string DefaultUserName = "admin";
    const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    readonly PasswordHasher<LocalAdmin> hasher = new();

    /// <summary>Creates the admin account when there is none, and logs its password once.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.LocalAdmins.AnyAsync(cancellationToken))
        {
            return;
        }
        var password = NewPassword();
        var admin = new LocalAdmin { UserName = DefaultUserName, PasswordHash = "" };
        admin.PasswordHash = hasher.HashPassword(admin, password);
        db.LocalAdmins.Add(admin);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance created it first and logged its own password.
            return;
        }
        // The one secret Keypod ever writes to its log, on purpose: without an identity provider there is no other way to hand
        // the first admin a password. It is shown this once; reset-admin-password replaces it.
        logger.LogWarning(
            "\n==================================================================\n" +
            " Keypod created the local admin account. Sign in at /account/login\n" +
            "   user name: {UserName}\n" +
            "   password:  {Password}\n" +
            " This password is shown only this once. To set a new one, run:\n" +
            "   dotnet run --project Keypod.Web -- reset-admin-password\n" +
            "==================================================================",
            DefaultUserName, password);
    }

    /// <summary>Sets a new random password (creating the account if needed), lifts its login throttle and returns the password.</summary>
    public async Task<string> ResetPasswordAsync(CancellationToken cancellationToken = default)
    {
        var password = NewPassword();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var admin = await db.LocalAdmins.FirstOrDefaultAsync(a => a.UserName == DefaultUserName, cancellationToken);
            if (admin is null)
            {
                admin = new LocalAdmin { UserName = DefaultUserName, PasswordHash = "" };
                db.LocalAdmins.Add(admin);
            }
            admin.PasswordHash = hasher.HashPassword(admin, password);
            admin.PasswordChangedAt = DateTime.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
        }
        await throttling.ResetUserAsync(DefaultUserName, cancellationToken);
        return password;
    }

    public async Task<LocalSignInResult> SignInAsync(string? userName, string? password, string? clientAddress, CancellationToken cancellationToken = default)
    {
        userName = (userName ?? "").Trim();
        var throttleKey = LoginThrottling.KeyFor(userName, clientAddress);
        if (await throttling.LockedForAsync(throttleKey, cancellationToken) is { } wait)
        {
            return new LocalSignInResult(LocalSignInOutcome.Throttled, RetryAfter: wait);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var normalized = userName.ToLowerInvariant();
        var admin = await db.LocalAdmins.FirstOrDefaultAsync(a => a.UserName == normalized, cancellationToken);
        var verdict = admin is null || string.IsNullOrEmpty(password)
            ? VerifyAgainstNothing(password)
            : hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
        if (admin is null || verdict == PasswordVerificationResult.Failed)
        {
            await throttling.RecordFailureAsync(throttleKey, cancellationToken);
            logger.LogInformation("Failed local sign-in for {UserName} from {ClientAddress}.", userName, clientAddress);
            return new LocalSignInResult(LocalSignInOutcome.InvalidCredentials);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            admin.PasswordHash = hasher.HashPassword(admin, password!);
            await db.SaveChangesAsync(cancellationToken);
        }
        await throttling.ResetAsync(throttleKey, cancellationToken);
        return new LocalSignInResult(LocalSignInOutcome.Succeeded, admin);
    }

    /// <summary>Whether a session issued at a password stamp is still valid (a reset ends every earlier session).</summary>
    public async Task<bool> IsCurrentAsync(string userName, string? passwordStamp, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var changedAt = await db.LocalAdmins.AsNoTracking().Where(a => a.UserName == userName)
            .Select(a => (DateTime?)a.PasswordChangedAt).FirstOrDefaultAsync(cancellationToken);
        return changedAt is { } stamp && Stamp(stamp) == passwordStamp;
    }

    public static string Stamp(DateTime passwordChangedAt) =>
        passwordChangedAt.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Spends the same PBKDF2 time for an unknown user name, so timing does not tell which names exist.</summary>
    PasswordVerificationResult VerifyAgainstNothing(string? password)
    {
        var decoy = new LocalAdmin { UserName = "", PasswordHash = "" };
        hasher.VerifyHashedPassword(decoy, DecoyHash.Value, password ?? "");
        return PasswordVerificationResult.Failed;
    }

    static readonly Lazy<string> DecoyHash =
        new(() => new PasswordHasher<LocalAdmin>().HashPassword(new LocalAdmin { UserName = "", PasswordHash = "" }, NewPassword()));

    static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 24);
}
