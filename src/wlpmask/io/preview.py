"""Previews of a layout for people: SVG (vector) and PNG (raster, written with zlib only).

Both draw the given layers in order with the technology's colours (filled, or outlined for
layers whose dither pattern is 0), a title, a legend and a scale bar. Coordinates come in um.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from ..tech import Technology
from . import atomic_write, write_text_atomic

_FILL_OPACITY = {"input": 0.55, "mask": 0.45, "marker": 0.25}
_PAGE_PX = 900  # size of the longer die side in the previews
_LEGEND_PX = 250
_MARGIN_PX = 24
_TITLE_PX = 36
_FOOT_PX = 48


def _scale_bar_um(extent_um: float) -> float:
    """A round length near a fifth of the extent (1, 2 or 5 x a power of ten)."""
    target = extent_um / 5
    base = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * base <= target:
            return m * base
    return base


def _fmt_len(um: float) -> str:
    return f"{um / 1000:g} mm" if um >= 1000 else f"{um:g} um"


def _extent(shapes: Mapping[str, Sequence[np.ndarray]]) -> tuple[float, float, float, float]:
    pts = [np.asarray(p) for polys in shapes.values() for p in polys]
    if not pts:
        return (0.0, 0.0, 1.0, 1.0)
    allp = np.concatenate(pts)
    x0, y0 = allp.min(axis=0)
    x1, y1 = allp.max(axis=0)
    return (float(x0), float(y0), float(max(x1, x0 + 1e-3)), float(max(y1, y0 + 1e-3)))


def _present(shapes, layers) -> list[str]:
    return [n for n in layers if len(shapes.get(n, []))]


def _layout(shapes, layers):
    x0, y0, x1, y1 = _extent({k: shapes.get(k, []) for k in layers})
    s = _PAGE_PX / max(x1 - x0, y1 - y0)
    w_px = int(math.ceil((x1 - x0) * s))
    h_px = int(math.ceil((y1 - y0) * s))
    width = _MARGIN_PX * 3 + w_px + _LEGEND_PX
    height = _TITLE_PX + _MARGIN_PX + max(h_px, 24 * len(layers)) + _FOOT_PX
    return (x0, y0, x1, y1), s, w_px, h_px, width, height


# ------------------------------------------------------------------------------------ SVG

def svg_text(shapes: Mapping[str, Sequence[np.ndarray]], *, tech: Technology,
             layers: Sequence[str], title: str) -> str:
    """The SVG preview as text (see write_svg)."""
    layers = _present(shapes, layers)
    (x0, y0, x1, y1), s, w_px, h_px, width, height = _layout(shapes, layers)
    ox, oy = _MARGIN_PX, _TITLE_PX + h_px  # screen position of (x0, y0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{_MARGIN_PX}" y="24" font-size="17">{escape(title)}</text>',
           f'<g transform="translate({ox} {oy}) scale({s:.9g} {-s:.9g}) '
           f'translate({-x0:.6f} {-y0:.6f})">']
    for name in layers:
        polys = shapes.get(name, [])
        if not polys:
            continue
        lay = tech.layers[name]
        d = " ".join("M" + " L".join(f"{x:.3f} {y:.3f}" for x, y in np.asarray(p)) + " Z"
                     for p in polys)
        if lay.pattern == 0:
            style = (f'fill="none" stroke="{lay.color}" stroke-width="{1.2 / s:.6g}"')
        else:
            style = (f'fill="{lay.color}" fill-opacity="{_FILL_OPACITY[lay.purpose]}" '
                     f'stroke="{lay.color}" stroke-width="{0.6 / s:.6g}"')
        out.append(f'<path id="{escape(name)}" fill-rule="nonzero" {style} d="{d}"/>')
    out.append("</g>")
    lx = _MARGIN_PX * 2 + w_px
    for i, name in enumerate(layers):
        lay = tech.layers[name]
        y = _TITLE_PX + i * 24
        fill = "none" if lay.pattern == 0 else lay.color
        out.append(f'<rect x="{lx}" y="{y}" width="18" height="14" fill="{fill}" '
                   f'stroke="{lay.color}" stroke-width="1.5"/>')
        out.append(f'<text x="{lx + 26}" y="{y + 12}">{escape(name)} '
                   f'{lay.gds[0]}/{lay.gds[1]} ({len(shapes.get(name, []))})</text>')
    bar = _scale_bar_um(x1 - x0)
    by = _TITLE_PX + h_px + 26
    out.append(f'<rect x="{_MARGIN_PX}" y="{by}" width="{bar * s:.2f}" height="6" '
               f'fill="#000000"/>')
    out.append(f'<text x="{_MARGIN_PX + bar * s + 8:.2f}" y="{by + 7}">{_fmt_len(bar)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_svg(path: str | Path, shapes: Mapping[str, Sequence[np.ndarray]], *,
              tech: Technology, layers: Sequence[str], title: str) -> None:
    """Write an SVG preview (atomically).

    Args:
        path: the .svg file.
        shapes: layer name -> polygons (um).
        tech: the technology (colours, patterns, GDS numbers).
        layers: the layers to draw, bottom first.
        title: the caption.
    """
    write_text_atomic(path, svg_text(shapes, tech=tech, layers=layers, title=title))


# ------------------------------------------------------------------------------------ PNG

def _fill_polygon(mask: np.ndarray, pts: np.ndarray) -> None:
    """Set the pixels whose centres lie inside the polygon (even-odd per polygon)."""
    h, w = mask.shape
    x, y = pts[:, 0], pts[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    r0 = max(0, int(math.ceil(y.min() - 0.5)))
    r1 = min(h - 1, int(math.floor(y.max() - 0.5)))
    if r1 < r0:
        return
    rows = np.arange(r0, r1 + 1) + 0.5
    yy = rows[:, None]
    cross = ((y <= yy) & (y2 > yy)) | ((y2 <= yy) & (y > yy))
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = np.where(cross, x + (yy - y) * (x2 - x) / (y2 - y), np.inf)
    xs.sort(axis=1)
    counts = cross.sum(axis=1)
    for i, n in enumerate(counts):
        row = r0 + i
        for k in range(0, n - 1, 2):
            a = max(0, int(math.ceil(xs[i, k] - 0.5)))
            b = min(w - 1, int(math.floor(xs[i, k + 1] - 0.5)))
            if b >= a:
                mask[row, a:b + 1] = True


def _stroke_polygon(mask: np.ndarray, pts: np.ndarray) -> None:
    h, w = mask.shape
    a, b = pts, np.roll(pts, -1, axis=0)
    for p, q in zip(a, b, strict=True):
        n = int(max(abs(q[0] - p[0]), abs(q[1] - p[1])) * 2) + 2
        t = np.linspace(0.0, 1.0, n)[:, None]
        seg = p + t * (q - p)
        cx = np.clip(seg[:, 0].astype(int), 0, w - 1)
        cy = np.clip(seg[:, 1].astype(int), 0, h - 1)
        mask[cy, cx] = True


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


# A 5 x 7 pixel font for captions: upper case, digits, a few signs and the lower-case letters
# of units (other lower-case letters are drawn in upper case).
_FONT = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 11001 10101 10011 10001 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 01010 00100 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000",
    "-": "00000 00000 00000 11111 00000 00000 00000",
    "_": "00000 00000 00000 00000 00000 00000 11111",
    "/": "00001 00010 00010 00100 01000 01000 10000",
    "(": "00010 00100 01000 01000 01000 00100 00010",
    ")": "01000 00100 00010 00010 00010 00100 01000",
    ":": "00000 01100 01100 00000 01100 01100 00000",
    "+": "00000 00100 00100 11111 00100 00100 00000",
    "=": "00000 00000 11111 00000 11111 00000 00000",
    " ": "00000 00000 00000 00000 00000 00000 00000",
    "m": "00000 00000 11010 10101 10101 10101 10101",
    "u": "00000 00000 10001 10001 10001 10011 01101",
    "x": "00000 00000 10001 01010 00100 01010 10001",
}


def _text(img: np.ndarray, x: int, y: int, text: str, *, scale: int = 2,
          color: Sequence[int] = (0, 0, 0)) -> None:
    """Draw text with its top-left corner at pixel (x, y)."""
    h, w, _ = img.shape
    for ch in text:
        glyph = _FONT.get(ch) or _FONT.get(ch.upper(), _FONT[" "])
        for r, bits in enumerate(glyph.split()):
            for c, bit in enumerate(bits):
                if bit == "1":
                    ya, xa = y + r * scale, x + c * scale
                    if 0 <= ya < h and 0 <= xa < w:
                        img[ya:ya + scale, xa:xa + scale] = color
        x += 6 * scale


def png_image(shapes: Mapping[str, Sequence[np.ndarray]], *, tech: Technology,
              layers: Sequence[str], title: str) -> np.ndarray:
    """The PNG preview as an (H, W, 3) uint8 RGB array (see write_png)."""
    layers = _present(shapes, layers)
    (x0, y0, x1, y1), s, w_px, h_px, width, height = _layout(shapes, layers)
    img = np.full((height, width, 3), 255.0)
    ox, oy = _MARGIN_PX, _TITLE_PX
    for name in layers:
        polys = shapes.get(name, [])
        if not polys:
            continue
        lay = tech.layers[name]
        mask = np.zeros((h_px + 1, w_px + 1), dtype=bool)
        edge = np.zeros_like(mask)
        for p in polys:
            p = np.asarray(p, dtype=float)
            px = np.column_stack(((p[:, 0] - x0) * s, (y1 - p[:, 1]) * s))
            if lay.pattern != 0:
                _fill_polygon(mask, px)
            _stroke_polygon(edge, px)
        rgb = _rgb(lay.color)
        view = img[oy:oy + h_px + 1, ox:ox + w_px + 1]
        if lay.pattern != 0:
            a = _FILL_OPACITY[lay.purpose]
            view[mask] = view[mask] * (1 - a) + rgb * a
        view[edge] = rgb
    img = img.round().astype(np.uint8)
    _text(img, _MARGIN_PX, 10, title, scale=2)
    lx = _MARGIN_PX * 2 + w_px
    for i, name in enumerate(layers):
        lay = tech.layers[name]
        y = _TITLE_PX + i * 24
        rgb = _rgb(lay.color).astype(np.uint8)
        img[y:y + 14, lx:lx + 18] = rgb if lay.pattern != 0 else 255
        img[y:y + 14, lx:lx + 2] = rgb
        img[y:y + 14, lx + 16:lx + 18] = rgb
        img[y:y + 2, lx:lx + 18] = rgb
        img[y + 12:y + 14, lx:lx + 18] = rgb
        _text(img, lx + 26, y, f"{name} {lay.gds[0]}/{lay.gds[1]}", scale=2)
    bar = _scale_bar_um(x1 - x0)
    by = _TITLE_PX + h_px + 26
    img[by:by + 6, _MARGIN_PX:_MARGIN_PX + int(round(bar * s))] = 0
    _text(img, _MARGIN_PX + int(round(bar * s)) + 8, by - 3, _fmt_len(bar), scale=2)
    return img


def png_bytes(img: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 RGB array as PNG (zlib, filter 0, no timestamp)."""
    h, w, _ = img.shape
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), img.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
            + chunk(b"IEND", b""))


def write_png(path: str | Path, shapes: Mapping[str, Sequence[np.ndarray]], *,
              tech: Technology, layers: Sequence[str], title: str) -> None:
    """Write a PNG preview (atomically).

    Args:
        path: the .png file.
        shapes: layer name -> polygons (um).
        tech: the technology (colours, patterns, GDS numbers).
        layers: the layers to draw, bottom first.
        title: the caption.
    """
    data = png_bytes(png_image(shapes, tech=tech, layers=layers, title=title))
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
