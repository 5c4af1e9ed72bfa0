#!/usr/bin/env python3
"""Draws the app icon and the tray state icons as RGBA PNGs.

Only the standard library (zlib, struct): no Pillow or ImageMagick on the build machines, and the
icons are simple enough to describe as shapes. Every shape is a signed distance function; each
pixel is supersampled so edges are anti-aliased. Run from anywhere: `python3 icons/generate.py`;
it rewrites the PNGs beside this file. The PNGs are committed, so building needs no Python.
"""

import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SUPERSAMPLING = 4  # per axis: 16 samples a pixel

BLUE = (0x0B, 0x6C, 0xC4)
TEAL = (0x07, 0x9E, 0xA8)
AMBER = (0xE8, 0x8E, 0x0C)
RED = (0xD3, 0x2F, 0x2F)
WHITE = (0xFF, 0xFF, 0xFF)
GREY = (0x6B, 0x72, 0x80)


# Signed distance functions in a unit square (0..1 both axes, y down): negative inside.
def circle(cx, cy, r):
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def ring(cx, cy, r, width):
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) - width / 2


def rounded_square(margin, radius):
    half = (1 - 2 * margin) / 2

    def sdf(x, y):
        qx = abs(x - 0.5) - (half - radius)
        qy = abs(y - 0.5) - (half - radius)
        outside = math.hypot(max(qx, 0), max(qy, 0))
        return outside + min(max(qx, qy), 0) - radius

    return sdf


def capsule(ax, ay, bx, by, r):
    def sdf(x, y):
        px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
        t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - dx * t, py - dy * t) - r

    return sdf


def arc(cx, cy, r, width, start_deg, end_deg):
    """A ring limited to the angles start..end (degrees, clockwise from 3 o'clock, y down)."""
    inner_ring = ring(cx, cy, r, width)
    start, end = math.radians(start_deg), math.radians(end_deg)

    def sdf(x, y):
        angle = math.atan2(y - cy, x - cx) % (2 * math.pi)
        if (angle - start) % (2 * math.pi) <= (end - start) % (2 * math.pi):
            return inner_ring(x, y)
        # Outside the angular range: distance to the nearer rounded end of the arc.
        ends = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in (start, end)]
        return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - width / 2

    return sdf


def union(*shapes):
    return lambda x, y: min(s(x, y) for s in shapes)


def subtract(shape, hole):
    return lambda x, y: max(shape(x, y), -hole(x, y))


def triangle(points):
    """Convex triangle; the sign test is enough for the small arrow heads drawn here."""
    (x1, y1), (x2, y2), (x3, y3) = points

    def edge(ax, ay, bx, by, x, y):
        return (bx - ax) * (y - ay) - (by - ay) * (x - ax)

    def sdf(x, y):
        d1 = edge(x1, y1, x2, y2, x, y)
        d2 = edge(x2, y2, x3, y3, x, y)
        d3 = edge(x3, y3, x1, y1, x, y)
        inside = (d1 >= 0 and d2 >= 0 and d3 >= 0) or (d1 <= 0 and d2 <= 0 and d3 <= 0)
        return -0.001 if inside else 0.001

    return sdf


def key(scale=1.0, dx=0.0, dy=0.0):
    """A key lying diagonally: round bow with a hole at the top left, bit at the bottom right."""

    def at(x, y):
        return dx + 0.5 + (x - 0.5) * scale, dy + 0.5 + (y - 0.5) * scale

    bow_x, bow_y = at(0.36, 0.36)
    tip_x, tip_y = at(0.74, 0.74)
    tooth1 = at(0.60, 0.60), at(0.68, 0.52)
    tooth2 = at(0.70, 0.70), at(0.78, 0.62)
    bow = subtract(circle(bow_x, bow_y, 0.17 * scale), circle(bow_x, bow_y, 0.07 * scale))
    shaft = capsule(bow_x, bow_y, tip_x, tip_y, 0.055 * scale)
    teeth = [capsule(a[0], a[1], b[0], b[1], 0.05 * scale) for a, b in (tooth1, tooth2)]
    return union(bow, shaft, *teeth)


def refresh_arrows(cx, cy, r, width):
    head = width * 1.4
    top = arc(cx, cy, r, width, 200, 330)
    bottom = arc(cx, cy, r, width, 20, 150)

    def arrow_head(deg):
        a = math.radians(deg)
        px, py = cx + r * math.cos(a), cy + r * math.sin(a)
        tx, ty = -math.sin(a), math.cos(a)  # clockwise tangent
        nx, ny = math.cos(a), math.sin(a)
        return triangle(
            [
                (px + tx * head, py + ty * head),
                (px + nx * head, py + ny * head),
                (px - nx * head, py - ny * head),
            ]
        )

    return union(top, bottom, arrow_head(330), arrow_head(150))


def exclamation(cx, cy, height):
    stroke = height * 0.13
    bar = capsule(cx, cy - height / 2 + stroke, cx, cy + height * 0.12, stroke)
    dot = circle(cx, cy + height / 2 - stroke, stroke * 1.1)
    return union(bar, dot)


def render(size, layers):
    """layers: list of (sdf, (r, g, b)), painted in order with source-over compositing."""
    rows = []
    n = SUPERSAMPLING
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc_r = acc_g = acc_b = acc_a = 0.0
            for sy in range(n):
                for sx in range(n):
                    x = (px + (sx + 0.5) / n) / size
                    y = (py + (sy + 0.5) / n) / size
                    r = g = b = a = 0.0
                    for sdf, color in layers:
                        if sdf(x, y) <= 0:
                            r, g, b, a = color[0], color[1], color[2], 1.0
                    acc_r += r * a
                    acc_g += g * a
                    acc_b += b * a
                    acc_a += a
            samples = n * n
            alpha = acc_a / samples
            if alpha > 0:
                # Un-premultiply: colour averaged over covered samples only.
                row += bytes(
                    (
                        round(acc_r / acc_a),
                        round(acc_g / acc_a),
                        round(acc_b / acc_a),
                        round(alpha * 255),
                    )
                )
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return rows


def write_png(path, size, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    with open(path, "wb") as f:
        f.write(png)


def box(cx, cy, half_w, half_h, radius):
    """A rounded rectangle centred on (cx, cy)."""

    def sdf(x, y):
        qx = abs(x - cx) - (half_w - radius)
        qy = abs(y - cy) - (half_h - radius)
        outside = math.hypot(max(qx, 0), max(qy, 0))
        return outside + min(max(qx, qy), 0) - radius

    return sdf


def padlock(cx, cy, size):
    """A closed padlock: a body with its shackle above it."""
    body = box(cx, cy + size * 0.18, size * 0.42, size * 0.3, size * 0.06)
    shackle = arc(cx, cy - size * 0.08, size * 0.24, size * 0.13, 180, 360)
    legs = union(
        capsule(cx - size * 0.24, cy - size * 0.08, cx - size * 0.24, cy + size * 0.05, size * 0.065),
        capsule(cx + size * 0.24, cy - size * 0.08, cx + size * 0.24, cy + size * 0.05, size * 0.065),
    )
    return union(body, shackle, legs)


def badge_background():
    return circle(0.76, 0.76, 0.24)


ICONS = {
    # The app icon: white key on a blue rounded square.
    "icon.png": (256, [(rounded_square(0.04, 0.2), BLUE), (key(0.9), WHITE)]),
    # Tray states: the key on a disc, so the glyph reads on light and dark panels alike.
    "tray-ok.png": (32, [(circle(0.5, 0.5, 0.48), BLUE), (key(0.85), WHITE)]),
    "tray-refreshing.png": (
        32,
        [
            (circle(0.5, 0.5, 0.48), TEAL),
            (key(0.85), WHITE),
            (badge_background(), WHITE),
            (refresh_arrows(0.76, 0.76, 0.14, 0.05), TEAL),
        ],
    ),
    "tray-attention.png": (
        32,
        [
            (circle(0.5, 0.5, 0.48), AMBER),
            (key(0.85), WHITE),
            (badge_background(), RED),
            (exclamation(0.76, 0.76, 0.32), WHITE),
        ],
    ),
    # The vault is not open: the key greyed, a padlock badge.
    "tray-locked.png": (
        32,
        [
            (circle(0.5, 0.5, 0.48), GREY),
            (key(0.85), WHITE),
            (badge_background(), WHITE),
            (padlock(0.76, 0.76, 0.36), GREY),
        ],
    ),
}


def main():
    for name, (size, layers) in ICONS.items():
        path = os.path.join(HERE, name)
        write_png(path, size, render(size, layers))
        print(f"wrote {path} ({size}x{size})")


if __name__ == "__main__":
    main()
