namespace CameraHub.CameraRegistry.Persistence.PostgresMigrations;

/// <summary>
/// The audit tables' append-only rule on PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE (whoever asks), and
/// any UPDATE/DELETE/TRUNCATE privilege another role got on them (e.g. through default privileges) is taken back, so
/// the hub's own role (scripts/postgres-roles.sql) may only read and append.
/// </summary>
public static class AuditAppendOnly
{
    /// <summary>Creates the refusing function, the triggers and revokes the privileges.</summary>
    public const string CreateSql = """
        CREATE OR REPLACE FUNCTION camerahub_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER "AuditEntries_NoUpdate" BEFORE UPDATE OR DELETE ON "AuditEntries"
            FOR EACH ROW EXECUTE FUNCTION camerahub_refuse_change('the audit log is append-only');
        CREATE TRIGGER "AuditEntries_NoTruncate" BEFORE TRUNCATE ON "AuditEntries"
            FOR EACH STATEMENT EXECUTE FUNCTION camerahub_refuse_change('the audit log is append-only');
        CREATE TRIGGER "AuditCheckpoints_NoUpdate" BEFORE UPDATE OR DELETE ON "AuditCheckpoints"
            FOR EACH ROW EXECUTE FUNCTION camerahub_refuse_change('audit checkpoints are append-only');
        CREATE TRIGGER "AuditCheckpoints_NoTruncate" BEFORE TRUNCATE ON "AuditCheckpoints"
            FOR EACH STATEMENT EXECUTE FUNCTION camerahub_refuse_change('audit checkpoints are append-only');
        DO $$
        DECLARE who text;
        BEGIN
            FOR who IN
                SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
                WHERE g.table_name IN ('AuditEntries', 'AuditCheckpoints') AND g.grantee <> current_user
                  AND g.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
            LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEntries", "AuditCheckpoints" FROM %I', who);
            END LOOP;
        END $$;
        """;

    /// <summary>Undoes <see cref="CreateSql"/> (the tables are dropped right after).</summary>
    public const string DropSql = """
        DROP TRIGGER IF EXISTS "AuditEntries_NoUpdate" ON "AuditEntries";
        DROP TRIGGER IF EXISTS "AuditEntries_NoTruncate" ON "AuditEntries";
        DROP TRIGGER IF EXISTS "AuditCheckpoints_NoUpdate" ON "AuditCheckpoints";
        DROP TRIGGER IF EXISTS "AuditCheckpoints_NoTruncate" ON "AuditCheckpoints";
        DROP FUNCTION IF EXISTS camerahub_refuse_change();
        """;
}
