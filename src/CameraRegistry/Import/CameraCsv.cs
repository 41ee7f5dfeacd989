using System.Globalization;
using CameraHub.CameraRegistry.Cameras;
using CameraHub.CameraRegistry.Reports;
using CsvHelper;
using CsvHelper.Configuration;

namespace CameraHub.CameraRegistry.Import;

/// <summary>One problem in an imported file: where, which field, what is wrong.</summary>
public sealed record ImportError(int Line, string Field, string Message);

/// <summary>
/// The camera CSV format: UTF-8, comma separated, a header row naming the columns in <see cref="Columns"/>
/// (any order; only <c>id</c>, <c>name</c>, <c>ownerId</c>, <c>category</c>, <c>mode</c> and <c>status</c> are required).
/// Lists (sharing partners) are separated by '|'. Dates are yyyy-MM-dd, numbers use '.' as decimal point.
/// </summary>
public static class CameraCsv
{
    /// <summary>Every column the format knows, in the order the exporter writes them.</summary>
    public static readonly string[] Columns =
    [
        "id", "name", "ownerId", "siteId", "category", "vendor", "model", "rtspUrl", "onvifUrl", "rtspTransport",
        "username", "password", "latitude", "longitude", "headingDegrees", "mountingHeightMetres", "mode", "status",
        "legalBasisKind", "legalBasisReference", "legalBasisDecidedOn", "legalBasisDecidedBy", "legalBasisWeighing",
        "permitValidUntil", "permitMaxRetentionDays", "gdprArticle", "purpose", "reviewDue", "allowedHours",
        "retentionDays", "signagePosted", "signageText", "maskingKind", "keepDistanceMetres", "maskPolygons", "sharingPartners",
        "equipmentSek", "installationSek", "depreciationYears", "maintenanceSekPerYear", "leaseSekPerYear",
        "monitoringHoursPerWeek", "startedOn", "endedOn",
    ];

    private static readonly string[] Required = ["id", "name", "ownerId", "category", "mode", "status"];

    /// <summary>Reads every row; rows that cannot be read are reported, the rest returned with their line numbers.</summary>
    public static (List<(int Line, CameraInput Camera)> Rows, List<ImportError> Errors) Read(TextReader reader)
    {
        var rows = new List<(int, CameraInput)>();
        var errors = new List<ImportError>();
        using var csv = new CsvReader(reader, ReaderConfiguration(errors));
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
            {
                errors.Add(new ImportError(1, "(header)", "the file is empty; the first line must name the columns"));
                return (rows, errors);
            }
        }
        catch (CsvHelperException ex)
        {
            errors.Add(new ImportError(1, "(header)", ex.Message.Split('\n')[0]));
            return (rows, errors);
        }

        var header = csv.HeaderRecord ?? [];
        foreach (var unknown in header.Where(h => !Columns.Contains(h, StringComparer.Ordinal)))
        {
            errors.Add(new ImportError(1, unknown, $"unknown column '{unknown}'; known columns are: {string.Join(", ", Columns)}"));
        }

        foreach (var missing in Required.Where(r => !header.Contains(r, StringComparer.Ordinal)))
        {
            errors.Add(new ImportError(1, missing, $"required column '{missing}' is missing"));
        }

        if (errors.Count > 0)
        {
            return (rows, errors);
        }

        while (true)
        {
            try
            {
                if (!csv.Read())
                {
                    break;
                }
            }
            catch (CsvHelperException ex)
            {
                errors.Add(new ImportError(csv.Parser.RawRow, "(row)", ex.Message.Split('\n')[0]));
                break;
            }

            var line = csv.Parser.RawRow;
            if (csv.Parser.Count != header.Length)
            {
                errors.Add(new ImportError(line, "(row)", $"the row has {csv.Parser.Count} fields, the header {header.Length}"));
                continue;
            }

            var row = new RowReader(csv, line, errors);
            rows.Add((line, row.ToCamera()));
        }

        return (rows, errors);
    }

    /// <summary>How imports read CSV (the camera and the care decision files): malformed rows reported into <paramref name="errors"/>.</summary>
    internal static CsvConfiguration ReaderConfiguration(List<ImportError> errors) => new(CultureInfo.InvariantCulture)
    {
        BadDataFound = args => errors.Add(new ImportError(args.Context.Parser?.RawRow ?? 0, "(row)", $"malformed CSV near: {Truncate(args.RawRecord)}")),
        MissingFieldFound = null,
        DetectDelimiter = false,
        TrimOptions = TrimOptions.Trim,
    };

    private static string FormatPolygons(List<List<double[]>> polygons) =>
        string.Join('|', polygons.Select(p => string.Join(' ', p.Select(pt => string.Create(CultureInfo.InvariantCulture, $"{pt[0]},{pt[1]}")))));

    private static string Truncate(string s) => s.Length > 60 ? s[..60] + "…" : s.TrimEnd();

    /// <summary>Writes cameras in the import format (round-trips, passwords left out).</summary>
    public static void Write(TextWriter writer, IEnumerable<Camera> cameras)
    {
        using var csv = SafeCsv.CreateWriter(writer, leaveOpen: true);
        foreach (var column in Columns)
        {
            csv.WriteField(column);
        }

        csv.NextRecord();
        foreach (var c in cameras)
        {
            var b = c.LegalBasis;
            object?[] fields =
            [
                c.Id, c.Name, c.OwnerId, c.SiteId, c.Category, c.Vendor, c.Model, c.RtspUrl, c.OnvifUrl, c.RtspTransport,
                c.Username, null, c.Latitude, c.Longitude, c.HeadingDegrees, c.MountingHeightMetres, c.Mode, c.Status,
                b.Kind, b.Reference, b.DecidedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), b.DecidedBy, b.Weighing,
                b.PermitValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), b.PermitMaxRetentionDays, b.GdprArticle,
                b.Purpose, b.ReviewDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.AllowedHours, c.RetentionDays,
                c.Signage.Posted ? "true" : "false", c.Signage.Text, c.Masking.Kind, c.Masking.KeepDistanceMetres, FormatPolygons(c.Masking.Polygons),
                string.Join('|', c.SharingPartnerIds), c.Costs.EquipmentSek, c.Costs.InstallationSek, c.Costs.DepreciationYears,
                c.Costs.MaintenanceSekPerYear, c.Costs.LeaseSekPerYear, c.Costs.MonitoringHoursPerWeek,
                c.ActivatedAtUtc?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                c.DecommissionedAtUtc?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ];
            foreach (var f in fields)
            {
                // Numbers are the hub's own formatting; text (names, purposes, polygons) may come from anyone.
                if (f is IFormattable fm and not Enum)
                {
                    csv.WriteField(fm.ToString(null, CultureInfo.InvariantCulture));
                }
                else
                {
                    csv.WriteText(f?.ToString());
                }
            }

            csv.NextRecord();
        }
    }

    /// <summary>Reads one row's fields, recording each unparsable value with its line and column.</summary>
    private sealed class RowReader(CsvReader csv, int line, List<ImportError> errors)
    {
        private string? S(string column)
        {
            var v = csv.HeaderRecord!.Contains(column, StringComparer.Ordinal) ? csv.GetField(column) : null;
            return string.IsNullOrWhiteSpace(v) ? null : v;
        }

        private T? Parse<T>(string column, Func<string, (bool Ok, T Value)> parse, string expected) where T : struct
        {
            var s = S(column);
            if (s is null)
            {
                return null;
            }

            var (ok, value) = parse(s);
            if (!ok)
            {
                errors.Add(new ImportError(line, column, $"'{s}' is not {expected}"));
                return null;
            }

            return value;
        }

        private double? Double(string c) =>
            Parse(c, s => (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v), v), "a number");

        private decimal Money(string c) =>
            Parse(c, s => (decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var v), v), "an amount in SEK") ?? 0m;

        private int? Int(string c) =>
            Parse(c, s => (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v), v), "a whole number");

        private DateOnly? Date(string c) =>
            Parse(c, s => (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var v), v), "a date (yyyy-MM-dd)");

        private bool Bool(string c) =>
            Parse(c, s => (bool.TryParse(s, out var v) || s is "1" or "0" or "ja" or "nej", s is "1" or "ja" || (bool.TryParse(s, out var b) && b)), "true or false") ?? false;

        private TEnum Enum<TEnum>(string c, TEnum fallback) where TEnum : struct, Enum =>
            Parse(c, s => (System.Enum.TryParse<TEnum>(s, ignoreCase: true, out var v) && System.Enum.IsDefined(v) && !int.TryParse(s, out _), v),
                $"one of {string.Join(", ", System.Enum.GetNames<TEnum>())}") ?? fallback;

        /// <summary>Polygons separated by '|', points by spaces, coordinates by ',': "0,0 10,0 10,10|…".</summary>
        private List<List<double[]>> Polygons(string c)
        {
            var s = S(c);
            var result = new List<List<double[]>>();
            if (s is null)
            {
                return result;
            }

            foreach (var polygon in s.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var points = new List<double[]>();
                foreach (var point in polygon.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var xy = point.Split(',');
                    if (xy.Length != 2
                        || !double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                        || !double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                    {
                        errors.Add(new ImportError(line, c, $"'{point}' is not a point 'x,y' (polygons: 'x,y x,y x,y|…')"));
                        return result;
                    }

                    points.Add([x, y]);
                }

                result.Add(points);
            }

            return result;
        }

        public CameraInput ToCamera() => new()
        {
            Id = S("id"),
            Name = S("name"),
            OwnerId = S("ownerId"),
            SiteId = S("siteId"),
            Category = Enum("category", (CameraCategory)(-1)),
            Vendor = S("vendor"),
            Model = S("model"),
            RtspUrl = S("rtspUrl"),
            OnvifUrl = S("onvifUrl"),
            RtspTransport = Enum("rtspTransport", RtspTransport.Tcp),
            Username = S("username"),
            Password = S("password"),
            Latitude = Double("latitude"),
            Longitude = Double("longitude"),
            HeadingDegrees = Double("headingDegrees"),
            MountingHeightMetres = Double("mountingHeightMetres"),
            Mode = Enum("mode", (CameraMode)0),
            Status = Enum("status", CameraStatus.Planned),
            LegalBasis = new LegalBasis
            {
                Kind = Enum("legalBasisKind", LegalBasisKind.None),
                Reference = S("legalBasisReference"),
                DecidedOn = Date("legalBasisDecidedOn"),
                DecidedBy = S("legalBasisDecidedBy"),
                Weighing = S("legalBasisWeighing"),
                PermitValidUntil = Date("permitValidUntil"),
                PermitMaxRetentionDays = Int("permitMaxRetentionDays"),
                GdprArticle = S("gdprArticle"),
                Purpose = S("purpose"),
                ReviewDue = Date("reviewDue"),
            },
            AllowedHours = S("allowedHours"),
            RetentionDays = Int("retentionDays"),
            Signage = new Signage { Posted = Bool("signagePosted"), Text = S("signageText") },
            Masking = new MaskingProfile
            {
                Kind = Enum("maskingKind", MaskingKind.None),
                KeepDistanceMetres = Double("keepDistanceMetres"),
                Polygons = Polygons("maskPolygons"),
            },
            SharingPartnerIds = [.. (S("sharingPartners") ?? string.Empty).Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Costs = new CameraCosts
            {
                EquipmentSek = Money("equipmentSek"),
                InstallationSek = Money("installationSek"),
                DepreciationYears = Int("depreciationYears") ?? 5,
                MaintenanceSekPerYear = Money("maintenanceSekPerYear"),
                LeaseSekPerYear = Money("leaseSekPerYear"),
                MonitoringHoursPerWeek = Double("monitoringHoursPerWeek") ?? 0,
            },
            StartedOn = Date("startedOn"),
            EndedOn = Date("endedOn"),
        };
    }
}
