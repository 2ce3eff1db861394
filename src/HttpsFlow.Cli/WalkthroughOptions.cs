using System.CommandLine;

namespace HttpsFlow.Cli;

/// <summary>The options of the walkthrough that `explain`, `report` and `lab` share.</summary>
internal static class WalkthroughOptions
{
    public static Option<string> Language(string what = "Language of the walkthrough")
    {
        var lang = new Option<string>("--lang") { Description = $"{what}: en (English, default) or zh (Chinese).", DefaultValueFactory = _ => "en", HelpName = "en|zh" };
        lang.AcceptOnlyFromAmong("en", "zh");
        return lang;
    }

    public static Option<bool> Ascii() => new("--ascii") { Description = "Draw the sequence diagram and lists with plain ASCII characters." };

    public static Option<int?> Width() =>
        new("--width") { Description = "Columns to fit (default: the terminal's width, or 100 when the output is not a terminal).", HelpName = "N" };
}
