using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CameraHub.CameraRegistry.Persistence.PostgresMigrations.Registry
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CameraChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CameraId = table.Column<string>(type: "text", nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Actor = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Before = table.Column<string>(type: "text", nullable: true),
                    After = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CameraChanges", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Organisations",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    OrganisationNumber = table.Column<string>(type: "text", nullable: true),
                    Contact = table.Column<string>(type: "text", nullable: true),
                    CreatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Organisations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Sites",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Address = table.Column<string>(type: "text", nullable: true),
                    Latitude = table.Column<double>(type: "double precision", nullable: true),
                    Longitude = table.Column<double>(type: "double precision", nullable: true),
                    OwnerId = table.Column<string>(type: "character varying(64)", nullable: true),
                    Facade = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Sites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Sites_Organisations_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Cameras",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    OwnerId = table.Column<string>(type: "character varying(64)", nullable: false),
                    SiteId = table.Column<string>(type: "character varying(64)", nullable: true),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Vendor = table.Column<string>(type: "text", nullable: true),
                    Model = table.Column<string>(type: "text", nullable: true),
                    Firmware = table.Column<string>(type: "text", nullable: true),
                    OnvifUrl = table.Column<string>(type: "text", nullable: true),
                    RtspUrl = table.Column<string>(type: "text", nullable: true),
                    RtspTransport = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Username = table.Column<string>(type: "text", nullable: true),
                    ProtectedPassword = table.Column<string>(type: "text", nullable: true),
                    Latitude = table.Column<double>(type: "double precision", nullable: true),
                    Longitude = table.Column<double>(type: "double precision", nullable: true),
                    HeadingDegrees = table.Column<double>(type: "double precision", nullable: true),
                    MountingHeightMetres = table.Column<double>(type: "double precision", nullable: true),
                    Mode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    LegalBasisKind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    LegalBasis_Reference = table.Column<string>(type: "text", nullable: true),
                    LegalBasis_DecidedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    LegalBasis_DecidedBy = table.Column<string>(type: "text", nullable: true),
                    LegalBasis_Weighing = table.Column<string>(type: "text", nullable: true),
                    LegalBasis_PermitValidUntil = table.Column<DateOnly>(type: "date", nullable: true),
                    LegalBasis_PermitMaxRetentionDays = table.Column<int>(type: "integer", nullable: true),
                    LegalBasis_GdprArticle = table.Column<string>(type: "text", nullable: true),
                    LegalBasis_Purpose = table.Column<string>(type: "text", nullable: true),
                    LegalBasis_ReviewDue = table.Column<DateOnly>(type: "date", nullable: true),
                    AllowedHours = table.Column<string>(type: "text", nullable: true),
                    RetentionDays = table.Column<int>(type: "integer", nullable: true),
                    Signage_Posted = table.Column<bool>(type: "boolean", nullable: false),
                    Signage_Text = table.Column<string>(type: "text", nullable: true),
                    MaskingKind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Masking_KeepDistanceMetres = table.Column<double>(type: "double precision", nullable: true),
                    Masking_Polygons = table.Column<string>(type: "text", nullable: false),
                    Masking_AllowAudio = table.Column<bool>(type: "boolean", nullable: false),
                    SharingPartnerIds = table.Column<string>(type: "text", nullable: false),
                    Costs_EquipmentSek = table.Column<decimal>(type: "numeric", nullable: false),
                    Costs_InstallationSek = table.Column<decimal>(type: "numeric", nullable: false),
                    Costs_DepreciationYears = table.Column<int>(type: "integer", nullable: false),
                    Costs_MaintenanceSekPerYear = table.Column<decimal>(type: "numeric", nullable: false),
                    Costs_LeaseSekPerYear = table.Column<decimal>(type: "numeric", nullable: false),
                    Costs_MonitoringHoursPerWeek = table.Column<double>(type: "double precision", nullable: false),
                    MeasuredBitrateKbps = table.Column<double>(type: "double precision", nullable: true),
                    ActivatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecommissionedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    SnapshotUrl = table.Column<string>(type: "text", nullable: true),
                    ClockSkewSeconds = table.Column<double>(type: "double precision", nullable: true),
                    LastProbedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    OnvifProfiles = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Cameras", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Cameras_Organisations_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Cameras_Sites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "Sites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CameraChanges_CameraId_AtUtc",
                table: "CameraChanges",
                columns: new[] { "CameraId", "AtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Cameras_Category",
                table: "Cameras",
                column: "Category");

            migrationBuilder.CreateIndex(
                name: "IX_Cameras_Mode",
                table: "Cameras",
                column: "Mode");

            migrationBuilder.CreateIndex(
                name: "IX_Cameras_OwnerId",
                table: "Cameras",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_Cameras_SiteId",
                table: "Cameras",
                column: "SiteId");

            migrationBuilder.CreateIndex(
                name: "IX_Cameras_Status",
                table: "Cameras",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Sites_OwnerId",
                table: "Sites",
                column: "OwnerId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CameraChanges");

            migrationBuilder.DropTable(
                name: "Cameras");

            migrationBuilder.DropTable(
                name: "Sites");

            migrationBuilder.DropTable(
                name: "Organisations");
        }
    }
}
