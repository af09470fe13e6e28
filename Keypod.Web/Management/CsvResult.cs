using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Keypod.Web.Management;

/// <summary>
/// Writes CSV to the response with CsvHelper (invariant culture, RFC 4180 quoting), one chunk at a time so large
/// exports stream with flat memory and only asynchronous writes reach the socket.
/// </summary>
sealed class CsvResult(string fileName, Func<Func<Action<CsvWriter>, Task>, Task> write) : IResult
{
    public CsvResult(string fileName, Action<CsvWriter> writeAll) : this(fileName, writeChunk => writeChunk(writeAll))
    {
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        httpContext.Response.Headers.ContentDisposition = new System.Net.Mime.ContentDisposition { FileName = fileName }.ToString();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture);
        await write(async fill =>
        {
            await using var text = new StringWriter(CultureInfo.InvariantCulture);
            await using (var csv = new CsvWriter(text, configuration, leaveOpen: true))
            {
                csv.Context.TypeConverterOptionsCache.GetOptions<DateTime>().Formats = ["yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"];
                fill(csv);
            }
            await httpContext.Response.WriteAsync(text.ToString(), httpContext.RequestAborted);
        });
    }
}
