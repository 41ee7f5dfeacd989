using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;
using Microsoft.AspNetCore.Http;

namespace CameraHub.CameraRegistry.Reports;

/// <summary>
/// The one CSV writer of the hub: every report and export goes through it, so every text cell is safe to open in a
/// spreadsheet. A cell that starts with '=', '+', '-', '@', tab or carriage return would be read as a formula
/// (OWASP "CSV injection"); it gets a leading single quote and is otherwise kept. Numbers and dates are the hub's
/// own formatting and are written as they are (a negative number is not a formula).
/// </summary>
public static class SafeCsv
{
    /// <summary>The first characters a spreadsheet treats as the start of a formula.</summary>
    public static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>The value as a cell a spreadsheet shows as text: a single quote before a formula start.</summary>
    public static string? Neutralise(string? value) =>
        value is { Length: > 0 } && Array.IndexOf(FormulaStarts, value[0]) >= 0 ? "'" + value : value;

    /// <summary>A CsvHelper writer over <paramref name="writer"/> that neutralises every string it writes.</summary>
    public static CsvWriter CreateWriter(TextWriter writer, bool leaveOpen = false)
    {
        var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture), leaveOpen);
        csv.Context.TypeConverterCache.AddConverter<string>(new NeutralisingConverter());
        csv.Context.TypeConverterOptionsCache.GetOptions<DateTime>().Formats = ["yyyy-MM-ddTHH:mm:ssZ"];
        csv.Context.TypeConverterOptionsCache.GetOptions<DateTime?>().Formats = ["yyyy-MM-ddTHH:mm:ssZ"];
        csv.Context.TypeConverterOptionsCache.GetOptions<DateOnly>().Formats = ["yyyy-MM-dd"];
        csv.Context.TypeConverterOptionsCache.GetOptions<DateOnly?>().Formats = ["yyyy-MM-dd"];
        return csv;
    }

    /// <summary>Writes a text field through the neutralising rule (for writers that build rows field by field).</summary>
    public static void WriteText(this CsvWriter csv, string? value) => csv.WriteField(Neutralise(value));

    /// <summary>A CSV download of any rows (header from the property names).</summary>
    public static IResult File<T>(string fileName, IEnumerable<T> rows)
    {
        var sb = new StringBuilder();
        using (var writer = new StringWriter(sb, CultureInfo.InvariantCulture))
        using (var csv = CreateWriter(writer))
        {
            csv.WriteRecords(rows);
        }

        return Results.File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", fileName);
    }

    private sealed class NeutralisingConverter : StringConverter
    {
        public override string? ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
            Neutralise(value as string);
    }
}
