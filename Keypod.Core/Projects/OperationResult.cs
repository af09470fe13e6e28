namespace Keypod.Core.Projects;

public enum OperationStatus
{
    Ok,
    Invalid,
    NotFound,
}

/// <summary>The outcome of an administrative operation: the API turns it into 2xx/400/404, the dashboard into a snackbar.</summary>
public sealed record OperationResult<T>(OperationStatus Status, T? Value, string? Error)
{
    public bool Succeeded => Status == OperationStatus.Ok;

    public static OperationResult<T> Ok(T value) => new(OperationStatus.Ok, value, null);

    public static OperationResult<T> Invalid(string error) => new(OperationStatus.Invalid, default, error);

    public static OperationResult<T> NotFound(string what) => new(OperationStatus.NotFound, default, what + " not found.");
}

/// <summary>A key as it is created: the only value that ever carries its plaintext.</summary>
public sealed record CreatedKey(Guid Id, string Plaintext, string Prefix, string Name, DateTime CreatedAt);

/// <summary>Fields to change on a project; a null field stays as it is (<see cref="SetMarkup"/> says whether the markup changes, to allow clearing it).</summary>
public sealed record ProjectChanges(string? Name = null, bool SetMarkup = false, decimal? MarkupPercent = null, bool? Disabled = null);

public sealed record ProjectSummary(Guid Id, string Name, decimal? MarkupPercent, bool Disabled, DateTime CreatedAt, decimal MonthToDateBilledUsd, ProjectRelation Access);

/// <summary>How the signed-in person relates to a project in a list: platform admin, owner or viewer.</summary>
public enum ProjectRelation
{
    Admin,
    Owner,
    Viewer,
}
