using CameraHub.CameraRegistry.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CameraHub.Tests.Shared;

/// <summary>
/// Where a test's hub keeps its state. Normally a SQLite file in the test's own folder; when the run sets
/// CAMERAHUB_TEST_DATABASE=PostgreSql (scripts/test.sh's second pass) a fresh PostgreSQL database of its own on the
/// test server (<see cref="ClusterEngines"/>: the script's, or a private one), dropped on dispose, so tests beside each
/// other never share rows. Tests that edit the SQLite file itself carry <c>[Trait("Database", "SqliteFile")]</c> and
/// are left out of that pass.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    /// <summary>The test-run switch: PostgreSql runs every hub of the run on PostgreSQL.</summary>
    public const string Variable = "CAMERAHUB_TEST_DATABASE";

    private readonly string? _postgresName;

    private TestDatabase(HubDatabase database, string? postgresName)
    {
        Database = database;
        _postgresName = postgresName;
    }

    /// <summary>Whether this run puts the hubs on PostgreSQL.</summary>
    public static bool PostgreSqlRun => string.Equals(Environment.GetEnvironmentVariable(Variable), nameof(DatabaseProvider.PostgreSql), StringComparison.OrdinalIgnoreCase);

    public HubDatabase Database { get; }

    public bool IsPostgreSql => Database.IsPostgreSql;

    /// <summary>The hub settings (configuration keys) that point it at this database.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [HubDatabase.ProviderKey] = Database.Provider.ToString(),
        ["ConnectionStrings:CameraHub"] = Database.ConnectionString,
    };

    /// <summary>
    /// SQLite at <paramref name="sqliteConnectionString"/>, or a new PostgreSQL database when the run asks for it. With
    /// <paramref name="dataDirectory"/> the PostgreSQL database's name is kept there, so a host restarted on the same
    /// data directory finds its state again, as it finds the SQLite file.
    /// </summary>
    public static TestDatabase Create(string sqliteConnectionString, string? dataDirectory = null)
    {
        if (!PostgreSqlRun)
        {
            return new(HubDatabase.Sqlite(sqliteConnectionString), null);
        }

        var remembered = dataDirectory is null ? null : Path.Combine(dataDirectory, "postgres-database.txt");
        if (remembered is not null && File.Exists(remembered))
        {
            var name = File.ReadAllText(remembered).Trim();
            return new(HubDatabase.PostgreSql(ClusterEngines.PostgresAsync().GetAwaiter().GetResult().ConnectionString(name)), name);
        }

        var created = CreatePostgres();
        if (remembered is not null)
        {
            File.WriteAllText(remembered, created._postgresName);
        }

        return created;
    }

    /// <summary>A new, empty PostgreSQL database on the test server, whatever the run's engine (tests of PostgreSQL itself).</summary>
    public static TestDatabase CreatePostgres()
    {
        // Constructors cannot await; the server is started once per run and a CREATE DATABASE takes milliseconds.
        var connectionString = ClusterEngines.PostgresAsync().GetAwaiter().GetResult().CreateDatabaseAsync().GetAwaiter().GetResult();
        return new(HubDatabase.PostgreSql(connectionString), new NpgsqlConnectionStringBuilder(connectionString).Database);
    }

    /// <summary>
    /// A new context on this database with its own migration history table: <typeparamref name="TContext"/> on SQLite,
    /// its PostgreSQL subclass <typeparamref name="TPostgres"/> (with the PostgreSQL migrations) on PostgreSQL.
    /// </summary>
    public TContext NewContext<TContext, TPostgres>(string migrationsHistoryTable)
        where TContext : Microsoft.EntityFrameworkCore.DbContext
        where TPostgres : TContext
    {
        var type = IsPostgreSql ? typeof(TPostgres) : typeof(TContext);
        var builder = (Microsoft.EntityFrameworkCore.DbContextOptionsBuilder)Activator.CreateInstance(
            typeof(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<>).MakeGenericType(type))!;
        return (TContext)Activator.CreateInstance(type, Database.Configure(builder, migrationsHistoryTable).Options)!;
    }

    public void Dispose()
    {
        if (_postgresName is null)
        {
            SqliteConnection.ClearAllPools();
            return;
        }

        NpgsqlConnection.ClearAllPools();
        ClusterEngines.PostgresAsync().GetAwaiter().GetResult().DropDatabaseAsync(_postgresName).GetAwaiter().GetResult();
    }
}
