using System.Xml.Linq;
using CameraHub.StreamBroker.Onvif;

namespace CameraHub.StreamBroker.Tests.Onvif;

/// <summary>The real camera captures copied from ../shared/onvif-fixtures (see Fixtures/SOURCES.md).</summary>
internal static class Fixture
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Onvif", "Fixtures");

    public static string Text(string file) => File.ReadAllText(Path.Combine(Directory, file));

    /// <summary>The response element of a capture, read as the client reads a 200 answer.</summary>
    public static XElement Response(string file, string operation) =>
        SoapEnvelope.ReadResponse(operation, 200, "application/soap+xml; charset=utf-8", Text(file));

    /// <summary>Every capture, as "folder/file".</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("SOURCES.md", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'));
}
