using MudBlazor;

namespace Keypod.Web.Components.Layout;

/// <summary>The one theme of every page, signed in or not.</summary>
static class KeypodTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00897b",
            AppbarBackground = "#283593",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8c9eff",
            Secondary = "#4db6ac",
        },
    };
}
