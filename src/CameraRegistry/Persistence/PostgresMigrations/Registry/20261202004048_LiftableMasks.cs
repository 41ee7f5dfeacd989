using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CameraHub.CameraRegistry.Persistence.PostgresMigrations.Registry
{
    /// <inheritdoc />
    public partial class LiftableMasks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Masking_Liftable",
                table: "Cameras",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Masking_Liftable",
                table: "Cameras");
        }
    }
}
