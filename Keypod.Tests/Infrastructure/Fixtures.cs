namespace Keypod.Tests.Infrastructure;

/// <summary>The real OpenRouter captures, read in place from <c>../shared/fixtures/openrouter</c> beside the repository.</summary>
public static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string OpenRouterDirectory
    {
        get
        {
            var directory = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "openrouter"));
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException(
                    $"The OpenRouter captures are missing: expected {directory}. The conformance tests need ../shared beside the repository.");
            }
            return directory;
        }
    }

    public static string PathOf(string relative) => Path.Combine(OpenRouterDirectory, relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static IEnumerable<string> Files(string folder, string pattern) =>
        Directory.GetFiles(Path.Combine(OpenRouterDirectory, folder), pattern)
            .Select(f => Path.GetRelativePath(OpenRouterDirectory, f))
            .OrderBy(f => f, StringComparer.Ordinal);

    static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Keypod.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Keypod.sln not found above " + AppContext.BaseDirectory);
    }
}
