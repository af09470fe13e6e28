using System.Net;
using System.Text;

namespace Keypod.Tests.Pricing;

/// <summary>The upstream as a message handler: each test says what it answers; every request is recorded.</summary>
sealed class FakeOpenRouterHandler : HttpMessageHandler
{
    readonly List<RecordedRequest> requests = [];

    public Func<HttpRequestMessage, Task<HttpResponseMessage>> Respond { get; set; } =
        _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    public void Serve(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        Respond = _ => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public void ServeModels(string json) => Serve(json);

    public void Fail(Exception exception) => Respond = _ => Task.FromException<HttpResponseMessage>(exception);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (requests)
        {
            requests.Add(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString()));
        }
        var response = await Respond(request);
        response.RequestMessage = request;
        return response;
    }
}

sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization);

/// <summary>A clock the test sets by hand, for effective-dated prices.</summary>
sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
