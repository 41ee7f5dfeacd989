-- The hub's own PostgreSQL role: reads and writes every table, but may only read and append the audit tables.
-- Run as the schema owner (the role that applies migrations), in the hub's database, before the hub first starts:
--   psql "host=127.0.0.1 port=5432 dbname=camerahub user=camerahub" -v hub_password="'...'" -f scripts/postgres-roles.sql
-- Then give the hub ConnectionStrings:CameraHub with Username=camerahub_hub and ConnectionStrings:CameraHubMigrations
-- with the owner. Migrations revoke UPDATE, DELETE and TRUNCATE on AuditEntries and AuditCheckpoints from every role
-- but the owner, and triggers refuse them even to the owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'camerahub_hub') THEN
        CREATE ROLE camerahub_hub LOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO camerahub_hub;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO camerahub_hub;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO camerahub_hub;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO camerahub_hub;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO camerahub_hub;
-- Tables that exist already (a re-run after migrations): the audit tables stay read and append only.
DO $$
BEGIN
    IF to_regclass('public."AuditEntries"') IS NOT NULL THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEntries", "AuditCheckpoints" FROM camerahub_hub;
    END IF;
END $$;
