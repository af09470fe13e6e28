using Keypod.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Keypod.Tests.Dashboard;

/// <summary>Debian's Chromium driven by Playwright (which ships its driver but no browser), one per test class.</summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    IPlaywright playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static async Task<Chromium> LaunchAsync()
    {
        var chromium = new Chromium { playwright = await Playwright.CreateAsync() };
        chromium.Browser = await chromium.playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return chromium;
    }

    public Task<IBrowserContext> NewContextAsync(KeypodApp app) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString().TrimEnd('/'),
            Permissions = ["clipboard-read", "clipboard-write"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}

static class PageActions
{
    public static string ScreenshotDirectory { get; } = Path.Combine(Fixtures.RepositoryRoot, "docs", "screenshots");

    /// <summary>Clicks until something appears: a click that lands before the page's circuit is connected does nothing.</summary>
    public static async Task ClickUntilVisibleAsync(this IPage page, string selector, ILocator appears)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await page.Locator(selector).First.ClickAsync();
            try
            {
                await appears.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 1000 });
                return;
            }
            catch (TimeoutException)
            {
            }
        }
        throw new TimeoutException($"Clicking {selector} never showed what it should.");
    }

    /// <summary>
    /// Repeats an action until something appears: a form filled before the page's circuit connected is re-rendered empty,
    /// and its submit does nothing, on a slow machine.
    /// </summary>
    public static async Task RepeatUntilVisibleAsync(this IPage page, Func<Task> action, ILocator appears)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await action();
            try
            {
                await appears.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 3000 });
                return;
            }
            catch (TimeoutException)
            {
            }
        }
        throw new TimeoutException("The action never showed what it should.");
    }

    public static ILocator Input(this IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input");

    public static ILocator DialogButton(this IPage page, string name) =>
        page.Locator(".mud-dialog").Last.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = name, Exact = true });

    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.WaitForTimeoutAsync(400);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png") });
    }
}
