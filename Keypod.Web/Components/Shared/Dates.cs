using System.Globalization;

namespace Keypod.Web.Components.Shared;

static class Dates
{
    /// <summary>UTC, like every time Keypod stores and bills by.</summary>
    public static string Short(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
