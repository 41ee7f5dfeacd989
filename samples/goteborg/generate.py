#!/usr/bin/env python3
"""Generates the sample city (invented names, realistic counts from DESIGN.md section 1).

Deterministic: run `python3 generate.py` to rewrite organisations.csv, sites.csv and cameras.csv.
Stream addresses use the reserved .invalid domain so nothing ever leaves the machine; the demo's
fake cameras (127.0.0.1) replace a handful of them at start-up.
"""
import csv, random

random.seed(2023)
ORGS = [
    ("grundskolenamnden", "Grundskolenämnden", "Board", "212000-1355", "grundskola@example.invalid"),
    ("forskolenamnden", "Förskolenämnden", "Board", "212000-1355", "forskola@example.invalid"),
    ("utbildningsnamnden", "Utbildningsnämnden (gymnasium)", "Board", "212000-1355", "utbildning@example.invalid"),
    ("idrottsnamnden", "Idrotts- och föreningsnämnden", "Board", "212000-1355", "idrott@example.invalid"),
    ("stadsmiljonamnden", "Stadsmiljönämnden (trafik)", "Board", "212000-1355", "trafik@example.invalid"),
    ("framtiden", "Framtidenkoncernen (bostäder)", "MunicipalCompany", "556012-5554", "trygghet@example.invalid"),
    ("aldrenamnden", "Äldre samt vård- och omsorgsnämnden (Trygghetsjouren)", "Board", "212000-1355", "trygghetsjouren@example.invalid"),
    ("polisen", "Polisregion Väst", "Police", "202100-0076", "kameracentralen@example.invalid"),
    ("vasttrafik", "Västtrafik AB", "Partner", "556558-5873", "trafikledning@example.invalid"),
    ("trafik-goteborg", "Trafik Göteborg (Trafikverket)", "Partner", "202100-6297", "tg@example.invalid"),
    ("vaktbolaget", "Vaktbolaget Väst AB (leverantör av skolkameror)", "Supplier", None, "avtal@example.invalid"),
]
AREAS = ["Angered", "Biskopsgården", "Frölunda", "Hisingen", "Majorna", "Kortedala", "Bergsjön", "Västra Frölunda",
         "Lundby", "Örgryte", "Härlanda", "Askim", "Torslanda", "Tuve", "Linnéstaden", "Haga", "Gamlestaden", "Kålltorp"]
STREETS = ["Skolgatan", "Björkvägen", "Ekvägen", "Tallvägen", "Åkervägen", "Lärkgatan", "Ängsvägen", "Öster Långgatan",
           "Kyrkogatan", "Storgatan", "Smörslottsgatan", "Rönnvägen", "Linnégatan", "Backavägen", "Hjällbovägen"]

SCHOOL_HOURS = "Mon-Fri 20:00-06:00; Sat-Sun 17:00-07:00; holidays 17:00-07:00"
ALWAYS = "always"

sites, cameras = [], []

def coord():
    return round(57.65 + random.random() * 0.15, 6), round(11.85 + random.random() * 0.25, 6)

def addr():
    return f"{random.choice(STREETS)} {random.randint(1, 80)}, {random.randint(40010, 42790)} Göteborg"

def camera(cid, name, owner, site, category, mode, status, basis, hours, retention, masking, keep, partners, costs,
           monitoring=0.0, started=None, ended=None, transport="Tcp", vendor="Axis", model="M2025-LE", lat=None, lon=None):
    kind, ref, decided_on, decided_by, weighing, permit_until, permit_max, article, purpose, review = basis
    eq, inst, maint, lease = costs
    cameras.append({
        "id": cid, "name": name, "ownerId": owner, "siteId": site, "category": category, "vendor": vendor, "model": model,
        "rtspUrl": f"rtsp://{cid.lower()}.kameror.goteborg.invalid/axis-media/media.amp", "onvifUrl": "",
        "rtspTransport": transport, "username": "", "password": "",
        "latitude": lat, "longitude": lon, "headingDegrees": random.randint(0, 359), "mountingHeightMetres": round(random.uniform(2.5, 6), 1),
        "mode": mode, "status": status, "legalBasisKind": kind, "legalBasisReference": ref, "legalBasisDecidedOn": decided_on,
        "legalBasisDecidedBy": decided_by, "legalBasisWeighing": weighing, "permitValidUntil": permit_until,
        "permitMaxRetentionDays": permit_max, "gdprArticle": article, "purpose": purpose, "reviewDue": review,
        "allowedHours": hours, "retentionDays": retention, "signagePosted": "true",
        "signageText": "Kamerabevakning – " + dict(ORG_NAMES)[owner], "maskingKind": masking, "keepDistanceMetres": keep,
        "maskPolygons": "0,480 1280,480 1280,720 0,720" if masking == "PrivacyPolygons" else "",
        "sharingPartners": "|".join(partners), "equipmentSek": eq, "installationSek": inst, "depreciationYears": 5,
        "maintenanceSekPerYear": maint, "leaseSekPerYear": lease, "monitoringHoursPerWeek": monitoring,
        "startedOn": started or "", "endedOn": ended or "",
    })

ORG_NAMES = [(o[0], o[1]) for o in ORGS]

def school_basis(i, board):
    if i % 7 == 0:  # older cameras on a permit from before the 2025 change
        until = f"2026-{random.randint(12, 12)}-{random.randint(1, 28):02d}" if i % 21 == 0 else f"2028-{random.randint(1, 12):02d}-15"
        return ("Permit", f"IMY DI-2019-{1000 + i}", "2019-06-12", "Integritetsskyddsmyndigheten", "", until, 30, "6(1)(e)",
                "Förebygga och utreda skadegörelse och inbrott nattetid", "")
    return ("BalancingOfInterests", f"{board[:3].upper()} 2025-{100 + i % 400:04d}", f"2025-{random.randint(4, 12):02d}-{random.randint(1, 28):02d}",
            dict(ORG_NAMES)[board], "Dokumenterad skadegörelse; endast fasad och två meter, nätter och helger; maskning utanför 2 m",
            "", "", "6(1)(e)", "Förebygga och utreda skadegörelse och inbrott nattetid", "")

# Schools: ~1,000 cameras at compulsory schools, plus preschools, upper-secondary schools and sports halls.
n = 0
for kind, board, category, count_sites, per_site in [
        ("Skola", "grundskolenamnden", "School", 160, (4, 9)),
        ("Förskola", "forskolenamnden", "Preschool", 40, (1, 3)),
        ("Gymnasium", "utbildningsnamnden", "School", 18, (4, 8)),
        ("Idrottshall", "idrottsnamnden", "Other", 20, (2, 4))]:
    for s in range(count_sites):
        area = random.choice(AREAS)
        sid = f"{kind[:3].upper().replace('Ö', 'O')}-{s + 1:03d}"
        lat, lon = coord()
        sites.append({"id": sid, "name": {"Skola": f"{area}skolan {s + 1}", "Förskola": f"{area} förskola {s + 1}",
                                         "Gymnasium": f"{area}gymnasiet {s + 1}"}.get(kind, f"{area} idrottshall {s + 1}"),
                      "address": addr(), "latitude": lat, "longitude": lon, "ownerId": board,
                      "facade": "0,0 40,0 40,25 0,25 0,0"})
        for c in range(random.randint(*per_site)):
            n += 1
            cid = f"{sid}-K{c + 1:02d}"
            school = category in ("School", "Preschool")
            status = "Active" if n % 97 else "Planned"
            basis = school_basis(n, board) if status == "Active" or n % 2 else ("None",) + ("",) * 9
            camera(cid, f"{sites[-1]['name']} kamera {c + 1}", board, sid, category, "RecordedOnly", status, basis,
                   SCHOOL_HOURS, 14 if school else 30, "FacadeDistance" if school else "None", 2.0 if school else "",
                   [], (0, 0, 0, 2400), lat=lat, lon=lon, vendor="Hikvision", model="DS-2CD2143G2",
                   started=f"20{random.randint(19, 25)}-0{random.randint(1, 9)}-1{random.randint(0, 9)}" if status == "Active" and basis[0] == "Permit" else None)

# Two schools whose cameras were taken down (register: ended in the last five years).
for k in range(6):
    camera(f"SKO-NED-K{k + 1:02d}", f"Nedlagd skola Tynnered kamera {k + 1}", "grundskolenamnden", None, "School",
           "RecordedOnly", "Decommissioned", school_basis(7 * k, "grundskolenamnden"), SCHOOL_HOURS, 14, "FacadeDistance", 2.0,
           [], (0, 0, 0, 2400), started="2019-08-01", ended=f"202{2 + k % 3}-06-30")

# Traffic: traffic cameras, tunnel and bridge technical cameras, a few at unsafe places.
traffic_basis = ("BalancingOfInterests", "SMN 2025-0412", "2025-04-15", "Stadsmiljönämnden",
                 "Trafikövervakning i realtid; allmän plats maskeras; ingen inspelning", "", "", "6(1)(e)",
                 "Trafikledning och framkomlighet", "")
for i in range(64):
    lat, lon = coord()
    camera(f"TRF-{i + 1:03d}", f"Trafikkamera {random.choice(['E6', 'E45', 'Rv40', 'Götaleden', 'Lundbyleden', 'Marieholmsleden'])} {i + 1}",
           "stadsmiljonamnden", None, "Traffic", "LiveOnly", "Active", traffic_basis, ALWAYS, "", "PrivacyPolygons" if i % 4 == 3 else "None", "",
           ["vasttrafik", "trafik-goteborg"] if i % 3 == 0 else ["trafik-goteborg"], (18000, 12000, 1500, 0), monitoring=6.0,
           lat=lat, lon=lon)
for i, place in enumerate(["Tingstadstunneln"] * 14 + ["Götatunneln"] * 12 + ["Hisingsbron"] * 10 + ["Marieholmstunneln"] * 8):
    camera(f"TEK-{i + 1:03d}", f"{place} teknisk kamera {i + 1}", "stadsmiljonamnden", None, "TechnicalFacility", "LiveOnly",
           "Active", traffic_basis, ALWAYS, "", "None", "", [], (22000, 15000, 2000, 0), monitoring=4.0)
for i, place in enumerate(["Järntorget", "Brunnsparken", "Hjällbo torg", "Frölunda torg", "Vasaplatsen"]):
    camera(f"OTR-{i + 1:03d}", f"Otrygg plats {place}", "stadsmiljonamnden", None, "PublicSquare", "LiveAndRecorded", "Active",
           ("Permit", f"LST 2021-{500 + i}", "2021-03-01", "Länsstyrelsen Västra Götaland", "", "2027-02-28" if i else "2026-12-31", 14,
            "6(1)(e)", "Förebygga brott på särskilt utsatt plats", ""),
           "always", 14, "PrivacyPolygons", "", ["polisen"], (30000, 20000, 3000, 0), monitoring=10.0, started="2021-04-01")

# Housing: ~300 cameras, most in parking garages, some on local squares.
for g in range(45):
    sid = f"GAR-{g + 1:03d}"
    lat, lon = coord()
    sites.append({"id": sid, "name": f"Garage {random.choice(AREAS)} {g + 1}", "address": addr(), "latitude": lat, "longitude": lon,
                  "ownerId": "framtiden", "facade": ""})
    for c in range(random.randint(5, 7)):
        camera(f"{sid}-K{c + 1:02d}", f"{sites[-1]['name']} kamera {c + 1}", "framtiden", sid, "HousingGarage", "RecordedOnly",
               "Active", ("BalancingOfInterests", f"FRA 2025-{g:03d}", "2025-05-20", "Framtiden AB styrelse",
                          "Bilinbrott och skadegörelse i garage; dygnet runt; ingen allmän plats", "", "", "6(1)(f)",
                          "Förebygga och utreda brott i garage", "2026-12-31" if g % 10 == 0 else ""),
               ALWAYS, 30, "None", "", [], (6000, 4000, 800, 0), lat=lat, lon=lon, vendor="Axis", model="P3265-LVE")
for i in range(30):
    camera(f"TORG-{i + 1:03d}", f"Lokalt torg {random.choice(AREAS)} {i + 1}", "framtiden", None, "PublicSquare", "RecordedOnly",
           "Active", ("BalancingOfInterests", "FRA 2025-900", "2025-06-01", "Framtiden AB styrelse",
                      "Skadegörelse och otrygghet på torg; kvällar och nätter", "", "", "6(1)(f)", "Trygghet på lokala torg", ""),
           "Mon-Sun 18:00-06:00", 14, "PrivacyPolygons", "", [], (9000, 6000, 900, 0))

# Elderly care: ~145 safety cameras in private homes, scheduled supervision visits (≈10,200 a month).
for i in range(145):
    camera(f"TRY-{i + 1:03d}", f"Trygghetskamera brukare {i + 1:03d}", "aldrenamnden", None, "CareHome", "LiveOnly", "Active",
           ("BalancingOfInterests", f"ÄVO 2025-{i:03d}", "2025-09-01", "Äldre samt vård- och omsorgsnämnden",
            "Nattillsyn på brukarens begäran i stället för fysiskt besök; samtycke dokumenterat", "", "", "6(1)(e), 9(2)(h)",
            "Nattlig tillsyn i hemmet", ""),
           # TRY-001 is the demo's fake-camera home, visited every half hour so a demo can perform a visit at any hour.
           "always" if i == 0 else "Mon-Sun 21:00-07:00", "", "None", "", [], (3500, 1500, 600, 0), monitoring=0.3,
           vendor="Axis", model="M1075-L")

# Police cameras on the housing group's façades.
for i in range(12):
    camera(f"POL-{i + 1:03d}", f"Polisens kamera fasad {random.choice(AREAS)} {i + 1}", "polisen", None, "PoliceExternal",
           "LiveAndRecorded", "Active", ("BalancingOfInterests", f"A{2025}.{1000 + i}", "2025-05-05", "Polismyndigheten",
                                         "Brottsbekämpning på utsatt område", "", "", "BDL 2018:1177", "Förebygga och utreda brott", ""),
           ALWAYS, 30, "None", "", [], (25000, 10000, 2500, 0), monitoring=0.0)

# A couple of planned cameras without legal basis yet.
for i in range(3):
    camera(f"PLAN-{i + 1:03d}", f"Planerad kamera Kvibergs park {i + 1}", "stadsmiljonamnden", None, "PublicSquare", "LiveOnly", "Planned",
           ("None",) + ("",) * 9, "", "", "None", "", [], (15000, 10000, 0, 0))

with open("organisations.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Name", "Kind", "OrganisationNumber", "Contact"])
    for o in ORGS:
        w.writerow(o)
with open("sites.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=["Id", "Name", "Address", "Latitude", "Longitude", "OwnerId", "Facade"])
    w.writeheader()
    for s in sites:
        w.writerow({k[0].upper() + k[1:]: v for k, v in s.items()})
with open("cameras.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(cameras[0].keys()))
    w.writeheader()
    for c in cameras:
        w.writerow({k: ("" if v is None else v) for k, v in c.items()})
print(f"{len(ORGS)} organisations, {len(sites)} sites, {len(cameras)} cameras")
