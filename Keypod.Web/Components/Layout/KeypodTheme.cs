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
            // MudBlazor's default status colours and a lighter teal fail WCAG AA (4.5:1) under white chip text.
            Secondary = "#00796b",
            Success = "#2e7d32",
            Error = "#d32f2f",
            Info = "#1976d2",
            Warning = "#b45309",
            AppbarBackground = "#283593",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8c9eff",
            Secondary = "#4db6ac",
        },
    };
}
