using System.Globalization;
using CameraHub.CameraRegistry.Import;
using CsvHelper;

namespace CameraHub.CameraRegistry.Care;

/// <summary>
/// The decision CSV format: UTF-8, comma separated, a header naming columns of <see cref="Columns"/> (any order; all but
/// <c>validTo</c>, <c>windowMinutes</c> and <c>longestLookMinutes</c> required). Dates yyyy-MM-dd, consentAt ISO 8601;
/// the schedule in <see cref="VisitSchedule"/> text form (quote it: it contains commas).
/// </summary>
public static class CareDecisionCsv
{
    public static readonly string[] Columns =
    [
        "cameraId", "residentId", "residentName", "decisionReference", "decisionDate", "validFrom", "validTo", "consentBy",
        "consentAt", "schedule", "windowMinutes", "longestLookMinutes", "careUnit",
    ];

    private static readonly string[] Optional = ["validTo", "windowMinutes", "longestLookMinutes"];

    /// <summary>Reads every row; unreadable values are reported with line and column, the rest returned.</summary>
    public static (List<(int Line, CareDecisionInput Input)> Rows, List<ImportError> Errors) Read(TextReader reader)
    {
        var rows = new List<(int, CareDecisionInput)>();
        var errors = new List<ImportError>();
        using var csv = new CsvReader(reader, CameraCsv.ReaderConfiguration(errors));
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
            {
                return (rows, [new ImportError(1, "(header)", "the file is empty; the first line must name the columns")]);
            }

            var header = csv.HeaderRecord ?? [];
            errors.AddRange(header.Where(h => !Columns.Contains(h, StringComparer.Ordinal))
                .Select(h => new ImportError(1, h, $"unknown column '{h}'; known columns are: {string.Join(", ", Columns)}")));
            errors.AddRange(Columns.Except(Optional).Where(c => !header.Contains(c, StringComparer.Ordinal))
                .Select(c => new ImportError(1, c, $"required column '{c}' is missing")));
            if (errors.Count > 0)
            {
                return (rows, errors);
            }

            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                string? Text(string column) => header.Contains(column) && csv.GetField(column) is { Length: > 0 } v ? v : null;
                T? Parsed<T>(string column, Func<string, T?> parse, string expected) where T : struct
                {
                    if (Text(column) is not { } text)
                    {
                        return null;
                    }

                    var value = parse(text);
                    if (value is null)
                    {
                        errors.Add(new ImportError(line, column, $"'{text}' is not {expected}"));
                    }

                    return value;
                }

                DateOnly? Date(string c) => Parsed(c, t => DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null, "a date like 2026-11-24");
                int? Number(string c) => Parsed(c, t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null, "a whole number");
                rows.Add((line, new CareDecisionInput(
                    Text("cameraId"), Text("residentId"), Text("residentName"), Text("decisionReference"), Date("decisionDate"), Date("validFrom"),
                    Date("validTo"), Text("consentBy"),
                    Parsed("consentAt", t => DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null, "an ISO 8601 time like 2026-11-02T10:00:00Z"),
                    Text("schedule"), Text("careUnit"), Number("windowMinutes"), Number("longestLookMinutes"))));
            }
        }
        catch (CsvHelperException ex)
        {
            errors.Add(new ImportError(csv.Parser.RawRow, "(row)", ex.Message.Split('\n')[0]));
        }

        return (rows, errors);
    }
}
