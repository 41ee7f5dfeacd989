#!/usr/bin/env python3
"""Writes the sample calibrations for three cameras of Torslandaskolan 1 (site SKO-001).

Each camera is a pinhole model with a known position, heading, tilt and focal length; the image↔ground pairs are
exact projections of ground points, so the calibrations are consistent by construction. SKO-001-K01 is the
synthetic test scene of src/Masking/Samples/SyntheticScene.cs at 1920×1080. Ground frame: metres, the school's
outline (0,0)–(40,25) as in sites.csv.
"""
import json
import math
import os

OUTLINE = [[0, 0], [40, 0], [40, 25], [0, 25], [0, 0]]
W, H = 1920, 1080


def camera(pos, heading_deg, pitch_deg, focal):
    """Ground (X, Y) → image (u, v) for a camera at pos=(x, y, z) facing heading (0° = +Y, 90° = +X), tilted down."""
    hx, hy = math.sin(math.radians(heading_deg)), math.cos(math.radians(heading_deg))
    p = math.radians(pitch_deg)
    f = (math.cos(p) * hx, math.cos(p) * hy, -math.sin(p))
    r = (hy, -hx, 0.0)
    d = (f[1] * r[2] - f[2] * r[1], f[2] * r[0] - f[0] * r[2], f[0] * r[1] - f[1] * r[0])

    def project(X, Y):
        v = (X - pos[0], Y - pos[1], -pos[2])
        xc = sum(a * b for a, b in zip(r, v))
        yc = sum(a * b for a, b in zip(d, v))
        zc = sum(a * b for a, b in zip(f, v))
        return W / 2 + focal * xc / zc, H / 2 + focal * yc / zc, zc

    return project


def calibration(camera_id, project, ground_points):
    points = []
    for gx, gy in ground_points:
        u, v, z = project(gx, gy)
        assert z > 0 and 0 <= u <= W - 1 and 0 <= v <= H - 1, (camera_id, gx, gy, u, v)
        points.append({"imageX": round(u, 2), "imageY": round(v, 2), "groundX": gx, "groundY": gy})
    return {
        "cameraId": camera_id,
        "points": points,
        "facade": OUTLINE,
        "keepDistanceMetres": 2.0,
        "imageWidth": W,
        "imageHeight": H,
    }


cameras = [
    # The synthetic scene: on a lamp post 8 m south of the south wall, 4 m up, facing the wall, 15° down.
    calibration("SKO-001-K01", camera((20, -8, 4), 0, 15, 0.625 * W),
                [(16, -1), (24, -1), (17, -3), (23, -3), (20, -2), (18, 0)]),
    # On the south wall near the west corner, 4.4 m up, looking south-east along the wall, 35° down.
    calibration("SKO-001-K02", camera((3, -0.3, 4.4), 150, 35, 1100),
                [(8, -1), (10, -2), (6, -2), (12, -3), (8, -4), (14, -5)]),
    # On the east wall, 3.3 m up, facing east away from the building, 40° down.
    calibration("SKO-001-K03", camera((40.3, 12, 3.3), 90, 40, 1000),
                [(42, 10), (42, 14), (44, 9), (44, 15), (43, 12), (44, 12)]),
]

here = os.path.dirname(os.path.abspath(__file__))
for c in cameras:
    with open(os.path.join(here, c["cameraId"] + ".json"), "w", encoding="utf-8") as out:
        json.dump(c, out, indent=2)
        out.write("\n")
