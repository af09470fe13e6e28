using System.Net;

namespace Keypod.Bench;

/// <summary>The harness's own HTTP servers (fake upstream, bare .NET hop): as little of the measured cores as they can take.</summary>
static class BenchServer
{
    /// <param name="inlineScheduling">
    /// Handle each request on the socket's own thread (with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, set by run.sh):
    /// no thread-pool hand-off. For the fake upstream; the bare hop keeps Kestrel's defaults, like Keypod.
    /// </param>
    public static WebApplication Create(int port, RequestDelegate handler, bool inlineScheduling)
    {
        // No file watching: a content root watched recursively turns every file write under it (a database, a journal) into
        // inotify wake-ups of this process, on the cores the benchmark measures.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (inlineScheduling)
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        app.Run(handler);
        return app;
    }
}
