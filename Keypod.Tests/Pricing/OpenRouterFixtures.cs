namespace Keypod.Tests.Pricing;

/// <summary>
/// The real OpenRouter captures in <c>../shared/fixtures/openrouter/</c>, read in place next to the repository.
/// A missing folder fails the test that needs it, saying so, instead of letting it pass on nothing.
/// </summary>
static class OpenRouterFixtures
{
    static readonly Lazy<string> Root = new(Locate);

    public static string PathOf(string relativePath)
    {
        var path = System.IO.Path.Combine(Root.Value, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The OpenRouter capture '{relativePath}' is missing from {Root.Value}. The conformance tests need the shared fixtures; they must not pass without them.",
                path);
        }
        return path;
    }

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Keypod.sln")))
            {
                var fixtures = System.IO.Path.GetFullPath(System.IO.Path.Combine(directory.FullName, "..", "shared", "fixtures", "openrouter"));
                return Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException(
                        $"The shared OpenRouter fixtures were not found at {fixtures} (expected next to the repository at ../shared/fixtures/openrouter). " +
                        "These conformance tests fail rather than pass silently without them.");
            }
        }
        throw new DirectoryNotFoundException($"Keypod.sln was not found above {AppContext.BaseDirectory}, so the shared fixtures cannot be located.");
    }
}
