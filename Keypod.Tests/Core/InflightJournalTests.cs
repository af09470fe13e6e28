using Keypod.Core.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keypod.Tests.Core;

public sealed class InflightJournalTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "keypod-journal-" + Guid.NewGuid().ToString("N"));

    static UsageRecord Row(int n) => new()
    {
        RequestId = $"req_{n:D32}",
        CreatedAt = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc),
        ProjectId = Guid.NewGuid(),
        UserId = Guid.NewGuid(),
        ProjectKeyId = Guid.NewGuid(),
        UserKeyId = Guid.NewGuid(),
        Endpoint = "chat/completions",
        Model = "openai/gpt-4o-mini",
        MarkupPercent = 10m,
    };

    InflightJournal Open(int capacity) => new(directory, NullLogger<InflightJournal>.Instance, capacity);

    [Fact]
    public void A_later_run_reads_each_requests_latest_line_and_knows_which_finished()
    {
        var journal = Open(InflightJournal.DefaultSegmentCapacity);
        var finished = Row(1);
        var cutShort = Row(2);
        var finishedTicket = journal.Start(finished);
        var cutShortTicket = journal.Start(cutShort);
        cutShort.GenerationId = "gen-1";
        journal.Update(cutShortTicket, cutShort);
        finished.Status = 200;
        finished.BilledUsd = 0.0000011m;
        journal.Finish(finishedTicket, finished);
        // No Complete and no Dispose: the process is killed here with both rows still uncommitted.

        using var nextRun = Open(InflightJournal.DefaultSegmentCapacity);
        var lines = nextRun.ReadLeftovers(out var files).ToDictionary(l => l.Record.RequestId);

        files.Should().ContainSingle();
        lines[finished.RequestId].Final.Should().BeTrue();
        lines[finished.RequestId].Record.BilledUsd.Should().Be(0.0000011m);
        lines[cutShort.RequestId].Final.Should().BeFalse();
        lines[cutShort.RequestId].Record.GenerationId.Should().Be("gen-1");
    }

    [Fact]
    public void Full_segments_roll_over_keep_every_line_and_are_deleted_once_all_their_requests_are_committed()
    {
        var journal = Open(2048);
        var rows = Enumerable.Range(0, 20).Select(Row).ToList();
        var tickets = rows.Select(journal.Start).ToList();
        foreach (var (row, ticket) in rows.Zip(tickets))
        {
            row.Status = 200;
            journal.Finish(ticket, row); // most first segments are full by now: these lines spill into later ones
        }
        var segmentsWhileOpen = Directory.GetFiles(directory, "*.journal");
        segmentsWhileOpen.Length.Should().BeGreaterThan(3, "2 KB segments hold a few lines each");

        using (var reader = Open(2048))
        {
            var lines = reader.ReadLeftovers(out _);
            lines.Should().HaveCount(20).And.OnlyContain(l => l.Final, "every finished row is readable, spilled or not");
        }

        foreach (var ticket in tickets.Take(19))
        {
            journal.Complete(ticket);
        }
        Directory.GetFiles(directory, "*.journal").Length.Should().BeLessThan(segmentsWhileOpen.Length);
        journal.Complete(tickets[19]);
        journal.Dispose();
        Directory.GetFiles(directory, "*.journal").Should().BeEmpty("every request is committed");
    }

    [Fact]
    public void A_request_finishing_after_shutdown_gets_an_exception_not_a_write_through_a_released_mapping()
    {
        var journal = Open(InflightJournal.DefaultSegmentCapacity);
        var row = Row(1);
        var ticket = journal.Start(row);
        journal.Dispose();

        journal.Invoking(j => j.Finish(ticket, row)).Should().Throw<ObjectDisposedException>();
        journal.Invoking(j => j.Start(Row(2))).Should().Throw<ObjectDisposedException>();
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
