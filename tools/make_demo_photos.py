#!/usr/bin/env python3
"""Generate the stylised demo portraits used by the fictional "Quillon & Fils"
directory in content/people/photos/.

The portraits are flat illustrations (coloured background, shoulders, head,
hair, eyes, smile) drawn with Pillow. Output is fully deterministic: the same
script always produces byte-identical JPEG files.

Usage:
    python tools/make_demo_photos.py            # writes content/people/photos/*.jpg
    python tools/make_demo_photos.py --out DIR  # writes elsewhere
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = 400
SCALE = 4  # draw at 4x and downsample for smooth edges
S = SIZE * SCALE

SKIN = {
    "light": (246, 214, 189),
    "fair": (236, 196, 164),
    "medium": (214, 164, 124),
    "olive": (198, 148, 104),
    "brown": (156, 104, 70),
    "deep": (110, 72, 48),
}

HAIR = {
    "black": (38, 32, 34),
    "dark-brown": (72, 46, 32),
    "brown": (120, 80, 50),
    "auburn": (150, 68, 40),
    "blond": (222, 186, 110),
    "platinum": (236, 226, 200),
    "grey": (170, 170, 176),
}

# One entry per demo person with a photo. Only illustrative, never a likeness.
PORTRAITS = {
    "helene-quillon": dict(bg=(231, 216, 240), shirt=(62, 58, 110), skin="light",
                           hair="grey", style="bob", glasses=True),
    "gael-le-goff": dict(bg=(206, 228, 242), shirt=(34, 84, 120), skin="fair",
                         hair="dark-brown", style="short", beard=True),
    "eloise-marchand": dict(bg=(214, 238, 222), shirt=(46, 120, 96), skin="fair",
                            hair="auburn", style="long"),
    "bjorn-lindqvist": dict(bg=(250, 232, 200), shirt=(180, 92, 52), skin="light",
                            hair="blond", style="short", beard=True, glasses=True),
    "zoe-lambert": dict(bg=(252, 220, 222), shirt=(108, 76, 160), skin="medium",
                        hair="black", style="bun"),
    "anais-roussel": dict(bg=(222, 232, 252), shirt=(200, 70, 90), skin="olive",
                          hair="dark-brown", style="long", glasses=True),
    "samuel-okafor": dict(bg=(255, 236, 190), shirt=(30, 110, 140), skin="deep",
                          hair="black", style="curly"),
    "ines-haddad": dict(bg=(226, 246, 244), shirt=(230, 140, 60), skin="brown",
                        hair="black", style="curly-long"),
}


def _jitter(slug: str, n: int, spread: int) -> int:
    """Deterministic small integer offset derived from the slug."""
    h = hashlib.sha256(f"{slug}:{n}".encode()).digest()
    return (h[0] % (2 * spread + 1)) - spread


def _shade(rgb, factor):
    return tuple(max(0, min(255, int(c * factor))) for c in rgb)


def _ell(draw, cx, cy, rx, ry, fill, outline=None, width=0):
    draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill, outline=outline, width=width)


def draw_portrait(slug: str, p: dict) -> Image.Image:
    u = S / 400.0  # unit: one "400px" pixel
    img = Image.new("RGB", (S, S), p["bg"])
    d = ImageDraw.Draw(img)

    # soft background disc for depth
    _ell(d, S * 0.5, S * 0.44, 170 * u, 170 * u, _shade(p["bg"], 1.04))

    skin = SKIN[p["skin"]]
    skin_dark = _shade(skin, 0.86)
    hair = HAIR[p["hair"]]
    shirt = p["shirt"]
    style = p["style"]

    cx = S / 2 + _jitter(slug, 1, 3) * u
    head_cy = 175 * u
    head_rx, head_ry = 78 * u, 94 * u

    # long hair sits behind the head and shoulders
    if style in ("long", "curly-long"):
        d.rounded_rectangle([cx - 98 * u, head_cy - 70 * u, cx + 98 * u, head_cy + 135 * u],
                            radius=60 * u, fill=hair)
        if style == "curly-long":
            for i in range(9):
                ang_x = cx - 100 * u + i * 25 * u
                _ell(d, ang_x, head_cy + 120 * u + _jitter(slug, 10 + i, 6) * u, 22 * u, 22 * u, hair)

    # shoulders / torso
    d.rounded_rectangle([cx - 150 * u, 300 * u, cx + 150 * u, 470 * u], radius=90 * u, fill=shirt)
    # collar (v-neck)
    d.polygon([(cx - 34 * u, 298 * u), (cx + 34 * u, 298 * u), (cx, 340 * u)], fill=skin_dark)
    # neck
    d.rounded_rectangle([cx - 28 * u, 240 * u, cx + 28 * u, 312 * u], radius=16 * u, fill=skin_dark)
    d.polygon([(cx - 28 * u, 300 * u), (cx + 28 * u, 300 * u), (cx, 332 * u)], fill=skin_dark)

    # ears
    _ell(d, cx - head_rx + 2 * u, head_cy + 8 * u, 14 * u, 20 * u, skin_dark)
    _ell(d, cx + head_rx - 2 * u, head_cy + 8 * u, 14 * u, 20 * u, skin_dark)

    # head
    _ell(d, cx, head_cy, head_rx, head_ry, skin)

    # hair on top
    top = head_cy - head_ry
    if style in ("short", "bob", "long", "bun"):
        d.chord([cx - head_rx - 6 * u, top - 10 * u, cx + head_rx + 6 * u, head_cy + 40 * u],
                180, 360, fill=hair)
        # side-swept fringe
        d.polygon([(cx - head_rx, head_cy - 20 * u), (cx - 10 * u, top + 10 * u),
                   (cx + head_rx * 0.9, head_cy - 34 * u), (cx + head_rx, head_cy - 10 * u),
                   (cx + head_rx + 4 * u, top + 40 * u), (cx - head_rx - 4 * u, top + 40 * u)],
                  fill=hair)
    if style == "bob":
        d.rounded_rectangle([cx - head_rx - 14 * u, head_cy - 40 * u, cx - head_rx + 18 * u,
                             head_cy + 62 * u], radius=16 * u, fill=hair)
        d.rounded_rectangle([cx + head_rx - 18 * u, head_cy - 40 * u, cx + head_rx + 14 * u,
                             head_cy + 62 * u], radius=16 * u, fill=hair)
    if style == "bun":
        _ell(d, cx, top - 18 * u, 34 * u, 30 * u, hair)
    if style in ("curly", "curly-long"):
        for i in range(11):
            t = i / 10.0
            x = cx - head_rx - 4 * u + t * (2 * head_rx + 8 * u)
            y = top + 22 * u + abs(t - 0.5) * 80 * u + _jitter(slug, 30 + i, 4) * u
            _ell(d, x, y, 26 * u, 26 * u, hair)
        _ell(d, cx, top + 14 * u, head_rx * 0.9, 34 * u, hair)

    # beard
    if p.get("beard"):
        d.chord([cx - head_rx + 4 * u, head_cy - 10 * u, cx + head_rx - 4 * u, head_cy + head_ry + 6 * u],
                0, 180, fill=_shade(hair, 1.05))
        # keep a skin-coloured area for the mouth
        _ell(d, cx, head_cy + 48 * u, 30 * u, 16 * u, skin)

    # cheeks (blended)
    overlay = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    od = ImageDraw.Draw(overlay)
    blush = (240, 120, 120, 70)
    _ell(od, cx - 44 * u, head_cy + 30 * u, 16 * u, 10 * u, blush)
    _ell(od, cx + 44 * u, head_cy + 30 * u, 16 * u, 10 * u, blush)
    overlay = overlay.filter(ImageFilter.GaussianBlur(6 * u))
    img.paste(overlay, (0, 0), overlay)
    d = ImageDraw.Draw(img)

    # eyes
    eye_y = head_cy + 4 * u
    eye_dx = 30 * u
    for sx in (-1, 1):
        ex = cx + sx * eye_dx
        _ell(d, ex, eye_y, 9 * u, 11 * u, (40, 34, 36))
        _ell(d, ex + 3 * u, eye_y - 4 * u, 3 * u, 3 * u, (255, 255, 255))
        # eyebrows
        brow = _shade(hair, 0.8) if p["hair"] not in ("platinum", "grey") else (120, 110, 110)
        d.arc([ex - 16 * u, eye_y - 34 * u, ex + 16 * u, eye_y - 12 * u], 200, 340,
              fill=brow, width=int(5 * u))

    # glasses
    if p.get("glasses"):
        frame = (50, 50, 60)
        for sx in (-1, 1):
            ex = cx + sx * eye_dx
            _ell(d, ex, eye_y, 22 * u, 19 * u, None, outline=frame, width=int(4 * u))
        d.line([cx - eye_dx + 22 * u, eye_y, cx + eye_dx - 22 * u, eye_y], fill=frame, width=int(4 * u))

    # nose
    d.arc([cx - 8 * u, head_cy + 10 * u, cx + 8 * u, head_cy + 30 * u], 20, 160,
          fill=skin_dark, width=int(4 * u))

    # smile
    d.arc([cx - 26 * u, head_cy + 28 * u, cx + 26 * u, head_cy + 62 * u], 20, 160,
          fill=(150, 60, 60), width=int(5 * u))

    return img.resize((SIZE, SIZE), Image.LANCZOS)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=root / "content" / "people" / "photos")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for slug, params in sorted(PORTRAITS.items()):
        img = draw_portrait(slug, params)
        path = args.out / f"{slug}.jpg"
        img.save(path, "JPEG", quality=88, optimize=True)
        print(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")


if __name__ == "__main__":
    main()
