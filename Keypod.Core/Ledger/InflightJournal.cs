using System.IO.MemoryMappedFiles;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Keypod.Core.Ledger;

/// <summary>One journal line: a request's ledger row as known so far; <see cref="Final"/> once its response is done.</summary>
public sealed record JournalLine(bool Final, UsageRecord Record);

/// <summary>
/// The ledger's write-ahead journal, so a crash (kill -9) loses nothing: a request's row is written when the request
/// starts, again once its generation id is known, and in full just before the client receives the end of its
/// response. The batching ledger writer commits rows in the background; a journal segment is deleted once every row
/// in it is committed. At start-up, rows of earlier runs missing from the ledger are written: final ones as they
/// were, the others as interrupted, to be priced from their generation record.
/// <para>
/// Segments are memory-mapped files (shared mappings): a line is a copy into the OS's page cache, which outlives the
/// process exactly as a <c>write()</c> does, without a system call per line. Like a write without fsync it does not
/// survive the machine losing power; SQLite's own commits (WAL, synchronous=NORMAL) make the same trade.
/// </para>
/// </summary>
public sealed partial class InflightJournal : IDisposable
{
    /// <summary>Bytes per segment file; sparse, so only the lines written take disk space.</summary>
    public const int DefaultSegmentCapacity = 16 * 1024 * 1024;

    readonly string directory;
    readonly ILogger<InflightJournal> logger;
    readonly Lock gate = new();
    readonly System.Buffers.ArrayBufferWriter<byte> lineBuffer = new(2048);
    readonly Utf8JsonWriter lineWriter;
    readonly int segmentCapacity;
    Segment? current;
    bool disposed;
    long nextSegmentNumber;

    public InflightJournal(string directory, ILogger<InflightJournal> logger, int segmentCapacity = DefaultSegmentCapacity)
    {
        this.directory = directory;
        this.segmentCapacity = segmentCapacity;
        this.logger = logger;
        lineWriter = new Utf8JsonWriter(lineBuffer);
        Directory.CreateDirectory(directory);
        nextSegmentNumber = Directory.GetFiles(directory, "*.journal").Select(SegmentNumber).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>A request's place in the journal; complete it once its ledger row is committed.</summary>
    public sealed class Ticket
    {
        internal Ticket(Segment segment) => Segment = segment;

        /// <summary>The segment of the request's first line; it is kept until the request is committed.</summary>
        internal Segment Segment { get; }

        /// <summary>Segments that took a later line because the first one was full (rare); kept alike.</summary>
        internal List<Segment>? Spills { get; set; }

        internal bool Completed { get; set; }
    }

    internal sealed unsafe class Segment : IDisposable
    {
        readonly MemoryMappedFile mapping;
        readonly MemoryMappedViewAccessor view;
        readonly byte* start;
        readonly int capacity;
        bool disposed;

        public Segment(string path, int capacity)
        {
            Path = path;
            this.capacity = capacity;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            var file = new FileStream(path, options);
            mapping = MemoryMappedFile.CreateFromFile(file, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            view = mapping.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            start = pointer + view.PointerOffset;
        }

        public string Path { get; }
        public int Length { get; private set; }
        public int Outstanding { get; set; }
        public bool Sealed { get; set; }

        public bool Fits(int bytes) => Length + bytes <= capacity;

        public void Append(ReadOnlySpan<byte> line)
        {
            // Never a write through a released mapping (a crash, not an exception), whatever a late caller does.
            ObjectDisposedException.ThrowIf(disposed, this);
            line.CopyTo(new Span<byte>(start + Length, line.Length));
            Length += line.Length;
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            mapping.Dispose();
        }
    }

    public Ticket Start(UsageRecord record)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Serialize(new JournalLine(false, record));
            var segment = SegmentWithRoomFor(lineBuffer.WrittenCount);
            segment.Append(lineBuffer.WrittenSpan);
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
            if (ticket.Completed)
            {
                return;
            }
            ObjectDisposedException.ThrowIf(disposed, this);
            Serialize(entry);
            var length = lineBuffer.WrittenCount;
            var segment = ticket.Segment.Fits(length) ? ticket.Segment : ticket.Spills?.Find(spill => spill.Fits(length));
            if (segment is null)
            {
                // The first segment is full: this line goes to the current one, which then also waits for this request.
                segment = SegmentWithRoomFor(length);
                segment.Outstanding++;
                (ticket.Spills ??= []).Add(segment);
            }
            segment.Append(lineBuffer.WrittenSpan);
        }
    }

    /// <summary>Serializes one line into the reused buffer; callers hold the lock.</summary>
    void Serialize(JournalLine entry)
    {
        lineBuffer.ResetWrittenCount();
        lineWriter.Reset(lineBuffer);
        JsonSerializer.Serialize(lineWriter, entry, JournalJsonContext.Default.JournalLine);
        lineWriter.Flush();
        System.Buffers.BuffersExtensions.Write(lineBuffer, "\n"u8);
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
            Release(ticket.Segment);
            foreach (var spill in ticket.Spills ?? [])
            {
                Release(spill);
            }
        }
    }

    void Release(Segment segment)
    {
        segment.Outstanding--;
        if (segment.Sealed && segment.Outstanding == 0)
        {
            Delete(segment);
        }
    }

    /// <summary>Lines of earlier runs (segments this instance did not write), keeping the latest line per request.</summary>
    public IReadOnlyList<JournalLine> ReadLeftovers(out IReadOnlyList<string> files)
    {
        var entries = new Dictionary<string, JournalLine>(StringComparer.Ordinal);
        var paths = Directory.GetFiles(directory, "*.journal").Where(p => current is null || p != current.Path).OrderBy(SegmentNumber).ToList();
        foreach (var path in paths)
        {
            var bytes = File.ReadAllBytes(path);
            var written = bytes.AsSpan();
            // A segment is a sparse file of fixed size: its lines end where the zeros begin.
            if (written.IndexOf((byte)0) is var end and >= 0)
            {
                written = written[..end];
            }
            foreach (var range in written.Split((byte)'\n'))
            {
                var line = written[range];
                if (line.Trim(" \t\r"u8).IsEmpty)
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

    Segment SegmentWithRoomFor(int bytes)
    {
        if (bytes > segmentCapacity)
        {
            throw new InvalidOperationException($"A journal line of {bytes} bytes exceeds the segment size of {segmentCapacity} bytes.");
        }
        if (current is not null && current.Fits(bytes))
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
        current = new Segment(Path.Combine(directory, $"{nextSegmentNumber++:D12}.journal"), segmentCapacity);
        return current;
    }

    void Delete(Segment segment)
    {
        segment.Dispose();
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
            if (disposed)
            {
                return;
            }
            disposed = true;
            if (current is { Outstanding: 0 })
            {
                Delete(current);
            }
            else
            {
                current?.Dispose();
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
