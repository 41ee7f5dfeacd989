using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.CameraRegistry.Persistence.AccessMigrations
{
    /// <inheritdoc />
    public partial class AuditCheckpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    HeadHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AtTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Signature = table.Column<string>(type: "TEXT", nullable: false),
                    KeyFingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditCheckpoints_Sequence",
                table: "AuditCheckpoints",
                column: "Sequence");

            // Checkpoints are append-only like the entries they vouch for.
            migrationBuilder.Sql("CREATE TRIGGER AuditCheckpoints_NoUpdate BEFORE UPDATE ON AuditCheckpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER AuditCheckpoints_NoDelete BEFORE DELETE ON AuditCheckpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AuditCheckpoints_NoUpdate;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS AuditCheckpoints_NoDelete;");
            migrationBuilder.DropTable(
                name: "AuditCheckpoints");
        }
    }
}
