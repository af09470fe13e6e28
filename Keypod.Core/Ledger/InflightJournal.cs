using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Keypod.Core.Ledger;

/// <summary>One journal line: a request's ledger row as known so far; <see cref="Final"/> once its response is done.</summary>
public sealed record JournalLine(bool Final, UsageRecord Record);

/// <summary>
/// The ledger's write-ahead journal, so a crash (kill -9) loses nothing: a request's row is written when the request
/// starts, again once its generation id is known, and in full just before the client receives the end of its
/// response — each a plain write to the OS, which survives the process dying, in microseconds instead of a database
/// commit. The batching ledger writer commits rows in the background; a journal segment is deleted once every row
/// in it is committed. At start-up, rows of earlier runs missing from the ledger are written: final ones as they
/// were, the others as interrupted, to be priced from their generation record.
/// </summary>
public sealed partial class InflightJournal : IDisposable
{
    const int EntriesPerSegment = 20_000;

    readonly string directory;
    readonly ILogger<InflightJournal> logger;
    readonly Lock gate = new();
    readonly System.Buffers.ArrayBufferWriter<byte> lineBuffer = new(2048);
    readonly Utf8JsonWriter lineWriter;
    Segment? current;
    long nextSegmentNumber;

    public InflightJournal(string directory, ILogger<InflightJournal> logger)
    {
        this.directory = directory;
        this.logger = logger;
        lineWriter = new Utf8JsonWriter(lineBuffer);
        Directory.CreateDirectory(directory);
        nextSegmentNumber = Directory.GetFiles(directory, "*.journal").Select(SegmentNumber).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>A request's place in the journal; complete it once its ledger row is committed.</summary>
    public sealed class Ticket
    {
        internal Ticket(Segment segment) => Segment = segment;

        internal Segment Segment { get; }
        internal bool Completed { get; set; }
    }

    internal sealed class Segment(string path, FileStream file)
    {
        public string Path { get; } = path;
        public FileStream File { get; } = file;
        public int Written { get; set; }
        public int Outstanding { get; set; }
        public bool Sealed { get; set; }
    }

    public Ticket Start(UsageRecord record)
    {
        lock (gate)
        {
            var segment = CurrentSegment();
            WriteLine(segment, new JournalLine(false, record));
            segment.Written++;
            segment.Outstanding++;
            return new Ticket(segment);
        }
    }

    /// <summary>Records what is known so far — above all the generation id, the key to reconciling a request cut short.</summary>
    public void Update(Ticket ticket, UsageRecord record) => Write(ticket, new JournalLine(false, record));

    /// <summary>The finished row: from here on a crash loses nothing, even before the ledger commits it.</summary>
    public void Finish(Ticket ticket, UsageRecord record) => Write(ticket, new JournalLine(true, record));

    void Write(Ticket ticket, JournalLine entry)
    {
        lock (gate)
        {
            if (!ticket.Completed)
            {
                WriteLine(ticket.Segment, entry);
            }
        }
    }

    /// <summary>Serializes into one reused buffer and hands it to the OS in a single write; callers hold the lock.</summary>
    void WriteLine(Segment segment, JournalLine entry)
    {
        lineBuffer.ResetWrittenCount();
        lineWriter.Reset(lineBuffer);
        JsonSerializer.Serialize(lineWriter, entry, JournalJsonContext.Default.JournalLine);
        lineWriter.Flush();
        System.Buffers.BuffersExtensions.Write(lineBuffer, "\n"u8);
        segment.File.Write(lineBuffer.WrittenSpan);
    }

    public void Complete(Ticket ticket)
    {
        lock (gate)
        {
            if (ticket.Completed)
            {
                return;
            }
            ticket.Completed = true;
            var segment = ticket.Segment;
            segment.Outstanding--;
            if (segment.Sealed && segment.Outstanding == 0)
            {
                Delete(segment);
            }
        }
    }

    /// <summary>Lines of earlier runs (segments this instance did not write), keeping the latest line per request.</summary>
    public IReadOnlyList<JournalLine> ReadLeftovers(out IReadOnlyList<string> files)
    {
        var entries = new Dictionary<string, JournalLine>(StringComparer.Ordinal);
        var paths = Directory.GetFiles(directory, "*.journal").Where(p => current is null || p != current.Path).OrderBy(SegmentNumber).ToList();
        foreach (var path in paths)
        {
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                try
                {
                    if (JsonSerializer.Deserialize(line, JournalJsonContext.Default.JournalLine) is { } entry
                        && !(entries.TryGetValue(entry.Record.RequestId, out var known) && known.Final))
                    {
                        entries[entry.Record.RequestId] = entry;
                    }
                }
                catch (JsonException)
                {
                    // A line cut short by the crash itself: that request had not started talking to the upstream yet.
                }
            }
        }
        files = paths;
        return [.. entries.Values];
    }

    public static void DeleteFiles(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            File.Delete(file);
        }
    }

    Segment CurrentSegment()
    {
        if (current is { Written: < EntriesPerSegment })
        {
            return current;
        }
        if (current is not null)
        {
            current.Sealed = true;
            if (current.Outstanding == 0)
            {
                Delete(current);
            }
        }
        var path = Path.Combine(directory, $"{nextSegmentNumber++:D12}.journal");
        // bufferSize 0: every entry goes to the OS at once, so it outlives a killed process.
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        var file = new FileStream(path, options);
        current = new Segment(path, file);
        return current;
    }

    void Delete(Segment segment)
    {
        segment.File.Dispose();
        try
        {
            File.Delete(segment.Path);
        }
        catch (IOException exception)
        {
            LogDeleteFailed(exception, segment.Path);
        }
    }

    static long SegmentNumber(string path) => long.TryParse(Path.GetFileNameWithoutExtension(path), out var number) ? number : 0;

    public void Dispose()
    {
        lock (gate)
        {
            if (current is { Outstanding: 0 })
            {
                Delete(current);
            }
            else
            {
                current?.File.Dispose();
            }
            current = null;
            lineWriter.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete journal segment {Path}")]
    partial void LogDeleteFailed(Exception exception, string path);
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(JournalLine))]
sealed partial class JournalJsonContext : JsonSerializerContext;
