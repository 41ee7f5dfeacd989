using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CameraHub.CameraRegistry.Persistence;

/// <summary>
/// Write-ahead logging with synchronous=NORMAL on every SQLite connection: readers never block the writer, and a
/// commit costs one fsync of the log instead of several. A power cut may lose the last commits but never corrupts the
/// file or the audit chain (a lost tail is a shorter, still valid chain).
/// </summary>
public sealed class SqliteTuning : DbConnectionInterceptor
{
    public static readonly SqliteTuning Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        if (connection is not Microsoft.Data.Sqlite.SqliteConnection)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
        command.ExecuteNonQuery();
    }
}
