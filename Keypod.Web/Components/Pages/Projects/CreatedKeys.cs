using Keypod.Core.Keys;
using Keypod.Core.Projects;

namespace Keypod.Web.Components.Pages.Projects;

/// <summary>What the create-key dialog shows once: the new secrets and the bearer token built from them.</summary>
public sealed record CreatedKeys(CreatedKey? ProjectKey, CreatedKey? UserKey, string Bearer, string? BearerHint)
{
    public static CreatedKeys ForBoth(CreatedKey projectKey, CreatedKey userKey) =>
        new(projectKey, userKey, $"{projectKey.Plaintext}:{userKey.Plaintext}",
            "Ready to paste: Authorization: Bearer <this token>.");

    public static CreatedKeys ForUserKey(CreatedKey userKey, KeyRow projectKey) =>
        new(null, userKey, $"{projectKey.Prefix}…:{userKey.Plaintext}",
            $"Replace {projectKey.Prefix}… with the full project key ({projectKey.Name}); it was shown only when it was created.");

    public static CreatedKeys ForProjectKey(CreatedKey projectKey) =>
        new(projectKey, null, $"{projectKey.Plaintext}:{ApiKeys.UserKeyPrefix}…",
            $"Replace {ApiKeys.UserKeyPrefix}… with the full key of a user of this project.");
}
