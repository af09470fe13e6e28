using Keypod.Core.Ledger;

namespace Keypod.Tests.Core;

public sealed class RequestIdsTests
{
    [Fact]
    public void Ids_are_req_and_32_lower_hex_digits_that_sort_by_time_and_do_not_repeat()
    {
        var earlier = RequestIds.New(DateTimeOffset.Parse("2026-12-04T10:00:00.000Z"));
        var later = RequestIds.New(DateTimeOffset.Parse("2026-12-04T10:00:00.001Z"));
        var burst = Enumerable.Range(0, 100_000).Select(_ => RequestIds.New()).ToList();

        earlier.Should().MatchRegex("^req_[0-9a-f]{32}$");
        string.CompareOrdinal(earlier, later).Should().BeNegative("a later millisecond sorts after an earlier one");
        earlier[..16].Should().Be("req_01a2407f1500", "the first 48 bits are the Unix milliseconds");
        burst.Should().OnlyHaveUniqueItems();
        burst.Should().AllSatisfy(id => id.Should().MatchRegex("^req_[0-9a-f]{32}$"));
    }
}
