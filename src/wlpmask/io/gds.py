"""GDSII input and output on gdstk: deterministic hierarchical writing, reading any GDS.

Coordinates are float micrometres on both sides; database units appear only here. Written
files are reproducible (fixed timestamp, cells sorted by name) and carry their provenance as
GDS properties (PROPATTR/PROPVALUE "key=value") on text elements "wlpmask" at the origin of
each top cell, because GDSII has no library- or cell-level properties. Flattening a cell's
hierarchy lives in io/gds_flat.py; its functions are importable from here too.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import gdstk
import numpy as np

from .. import __version__
from ..errors import WlpmaskError
from ..tech import Technology
from . import atomic_write, name_list
from .gds_flat import (
    flatten_all,
    flatten_gds_layer,
    flatten_layers,
    layer_pairs,
    reachable_cells,
    unknown_layers,
)

__all__ = [
    "GDS_TIMESTAMP", "KLAYOUT_CONTEXT_CELL", "METADATA_LAYER", "METADATA_TEXT", "Layout",
    "cell_fingerprint", "flatten_all", "flatten_gds_layer", "flatten_layers", "layer_pairs",
    "read_layout", "unknown_layers", "write_cells", "write_gds",
]

# A fixed date keeps two builds of the same input byte-identical.
GDS_TIMESTAMP = datetime.datetime(2000, 1, 1)
# The text elements that carry the library properties, at the origin of each top cell.
METADATA_TEXT = "wlpmask"
METADATA_LAYER = (0, 0)
# KLayout keeps this cell for its own context data; it is never a design top cell.
KLAYOUT_CONTEXT_CELL = "$$$CONTEXT_INFO$$$"
# One XY record holds at most 8191 points, the closing one included.
_MAX_POINTS = 8190
_INT32 = 2**31 - 1
_GDS_MAGIC = b"\x00\x06\x00\x02"  # HEADER record: length 6, type 0x00, data type 0x02
_MAX_PROPVALUE = 126  # bytes, GDSII limit of a PROPVALUE string


# ----------------------------------------------------------------------------------- writing

def write_gds(path: str | Path, top: gdstk.Cell | Sequence[gdstk.Cell], *, tech: Technology,
              extra_properties: Mapping[str, str] | None = None) -> None:
    """Write top cell(s) and every cell they reference, hierarchically and reproducibly.

    Args:
        path: the GDS file to create or replace (atomically).
        top: the top cell or cells.
        tech: the technology; its grid (um) becomes the database unit.
        extra_properties: further "key=value" library properties (e.g. the design file hash).

    Raises:
        WlpmaskError: two different cells share a name, a coordinate does not fit the
            database unit, or the file cannot be written.
    """
    props = {
        "wlpmask_version": __version__,
        "technology": tech.name,
        "technology_sha256": tech.sha256,
    }
    for key, value in (extra_properties or {}).items():
        if key in props:
            raise WlpmaskError(f"library property {key!r} is set by wlpmask", key=key)
        props[key] = str(value)
    write_cells(path, top, dbu_um=tech.grid_um, library_name=tech.name, properties=props)


def write_cells(path: str | Path, top: gdstk.Cell | Sequence[gdstk.Cell], *, dbu_um: float,
                library_name: str = "wlpmask",
                properties: Mapping[str, str] | None = None) -> None:
    """Write cells without a technology (e.g. to write back a layout that was read).

    Args:
        path: the GDS file to create or replace (atomically).
        top: the top cell or cells.
        dbu_um: the database unit in um.
        library_name: the GDS library name.
        properties: library properties, written as "key=value" GDS properties.
    """
    path = Path(path)
    tops = [top] if isinstance(top, gdstk.Cell) else list(top)
    if not tops:
        raise WlpmaskError("nothing to write: no top cell given", file=path)
    if not dbu_um > 0:
        raise WlpmaskError(f"database unit must be > 0 um, got {dbu_um!r}", file=path)
    cells = _collect_cells(tops, path=path, dbu_um=dbu_um)
    referenced = {_ref_name(r) for c in cells.values() for r in c.references}
    top_names = {t.name for t in tops} - referenced
    labels = _metadata_labels(properties, path) if properties else []
    lib = gdstk.Library(library_name, unit=1e-6, precision=dbu_um * 1e-6)
    for name in sorted(cells):
        cell = cells[name]
        if labels and name in top_names:
            # A shallow copy: the caller's cell is not changed.
            cell = cell.copy(name, deep_copy=False)
            cell.add(*(lab.copy() for lab in labels))
        lib.add(cell)
    _check_extent(cells, top_names, dbu_um=dbu_um, path=path)
    with atomic_write(path) as tmp:
        _write_library(lib, tmp)


def _write_library(lib: gdstk.Library, tmp: Path) -> None:
    lib.write_gds(str(tmp), max_points=_MAX_POINTS, timestamp=GDS_TIMESTAMP)


def _ref_name(ref: gdstk.Reference) -> str:
    return ref.cell if isinstance(ref.cell, str) else ref.cell.name


def _collect_cells(tops: list[gdstk.Cell], *, path: Path, dbu_um: float) -> dict[str, gdstk.Cell]:
    """Every cell reachable from tops, by name; one name with two contents is an error."""
    for t in tops:
        if not isinstance(t, gdstk.Cell):
            raise WlpmaskError(f"expected a gdstk.Cell, got {type(t).__name__}", file=path)
    by_name: dict[str, gdstk.Cell] = {}
    for cell in reachable_cells(tops):
        if not isinstance(cell, gdstk.Cell):
            raise WlpmaskError("raw cells are not supported", file=path, key=f"cell {cell.name}")
        if not cell.name or not cell.name.isascii():
            raise WlpmaskError("a cell name must be non-empty ASCII", file=path,
                               key=f"cell {cell.name!r}")
        for ref in cell.references:
            if isinstance(ref.cell, str):
                raise WlpmaskError(f"references a cell {ref.cell!r} that is not given",
                                   file=path, key=f"cell {cell.name}")
            rep = ref.repetition
            if rep is not None and rep.columns is not None and max(rep.columns, rep.rows) > 32767:
                raise WlpmaskError(
                    f"array of {rep.columns} x {rep.rows} exceeds the GDSII limit of 32767",
                    file=path, key=f"cell {cell.name}")
        other = by_name.get(cell.name)
        if other is None:
            by_name[cell.name] = cell
        elif cell_fingerprint(other, dbu_um=dbu_um) != cell_fingerprint(cell, dbu_um=dbu_um):
            raise WlpmaskError("two different cells have this name", file=path,
                               key=f"cell {cell.name}")
    return by_name


def cell_fingerprint(cell: gdstk.Cell, *, dbu_um: float) -> str:
    """sha256 of a cell's own content (not its children's) on the database grid.

    Args:
        cell: the cell.
        dbu_um: the grid the coordinates are rounded to, in um.
    """
    h = hashlib.sha256()

    def grid(a) -> bytes:
        return np.round(np.asarray(a, dtype=float) / dbu_um).astype(np.int64).tobytes()

    for p in cell.get_polygons(depth=0):
        h.update(f"P{p.layer}/{p.datatype}:".encode())
        h.update(grid(p.points))
    for lab in cell.labels:
        h.update(f"T{lab.layer}/{lab.texttype}:{lab.text}:{lab.anchor}:{lab.rotation!r}:"
                 f"{lab.magnification!r}:{lab.x_reflection}:".encode())
        h.update(grid(lab.origin))
    for ref in cell.references:
        h.update(f"R{_ref_name(ref)}:{ref.rotation!r}:{ref.magnification!r}:"
                 f"{ref.x_reflection}:".encode())
        h.update(grid(ref.origin))
        if ref.repetition is not None:
            h.update(grid(ref.repetition.get_offsets()))
    return h.hexdigest()


def _metadata_labels(properties: Mapping[str, str], path: Path) -> list[gdstk.Label]:
    # One text per property: GDSII allows 128 bytes of properties per element.
    labels = []
    for attr, key in enumerate(sorted(properties), start=1):
        value = f"{key}={properties[key]}"
        if not key or "=" in key or len(value.encode()) > _MAX_PROPVALUE or not value.isascii():
            raise WlpmaskError(
                f"library property must be ASCII 'key=value' of at most {_MAX_PROPVALUE} "
                f"bytes without '=' in the key, got {value!r}", file=path, key=key)
        label = gdstk.Label(METADATA_TEXT, (0, 0), layer=METADATA_LAYER[0],
                            texttype=METADATA_LAYER[1])
        label.set_gds_property(attr, value)
        labels.append(label)
    return labels


def _check_extent(cells: Mapping[str, gdstk.Cell], top_names: set[str], *, dbu_um: float,
                  path: Path) -> None:
    for name in sorted(top_names):
        box = cells[name].bounding_box()
        if box is None:
            continue
        extent = float(np.max(np.abs(np.asarray(box))))
        if extent / dbu_um > _INT32:
            raise WlpmaskError(f"a coordinate of {extent:g} um does not fit a 32-bit GDS "
                               f"coordinate at a database unit of {dbu_um:g} um",
                               file=path, key=f"cell {name}")


# ----------------------------------------------------------------------------------- reading

@dataclass(frozen=True, eq=False)
class Layout:
    """A GDS file read into gdstk, coordinates in um.

    Args:
        path: the file read.
        library: the gdstk library (unit 1 um).
        dbu_um: the file's database unit in um.
        messages: what the GDS reader reported while reading (warnings).
    """

    path: Path
    library: gdstk.Library
    dbu_um: float
    messages: tuple[str, ...] = field(default=())

    @property
    def cells(self) -> dict[str, gdstk.Cell]:
        """All cells by name, sorted by name."""
        return {c.name: c for c in sorted(self.library.cells, key=lambda c: c.name)}

    @property
    def top_names(self) -> list[str]:
        """Names of the top cells (not referenced by any other), sorted."""
        return sorted(c.name for c in self.library.top_level()
                      if c.name != KLAYOUT_CONTEXT_CELL)

    def top_cells(self) -> list[gdstk.Cell]:
        """The top cells (not referenced by any other), sorted by name."""
        cells = self.cells
        return [cells[n] for n in self.top_names]

    def top(self, name: str | None = None) -> gdstk.Cell:
        """The named cell (any cell, not only a top one), else the single top cell.

        Args:
            name: the cell name, or None for the single top cell.

        Raises:
            WlpmaskError: no such cell, or several top cells and no name.
        """
        tops = self.top_names
        if name is not None:
            cells = self.cells
            if name not in cells:
                raise WlpmaskError(f"no cell {name!r}; top cells: {name_list(tops)}; "
                                   f"cells: {name_list(list(cells))}", file=self.path,
                                   key=f"cell {name}")
            return cells[name]
        if len(tops) != 1:
            raise WlpmaskError(f"{len(tops)} top cells: {name_list(tops)}; name the cell to use",
                               file=self.path, key="top cell")
        return self.cells[tops[0]]

    @property
    def properties(self) -> dict[str, str]:
        """Library properties written by wlpmask ("key=value" on the metadata text)."""
        out: dict[str, str] = {}
        for cell in self.top_cells():
            for lab in cell.labels:
                if lab.text != METADATA_TEXT or (lab.layer, lab.texttype) != METADATA_LAYER:
                    continue
                for prop in lab.properties:
                    if prop[0] != "S_GDS_PROPERTY":
                        continue
                    raw = prop[2]
                    text = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
                    key, sep, value = text.rstrip("\x00 ").partition("=")
                    if sep:
                        out.setdefault(key, value)
        return out


@contextmanager
def _captured_fd2() -> Iterator[list[str]]:
    """Collect what C code writes to file descriptor 2 (gdstk reports errors there)."""
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as buf:
        os.dup2(buf.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            buf.seek(0)
            text = buf.read().decode("utf-8", "replace")
            lines.extend(s.replace("[GDSTK]", "").strip() for s in text.splitlines()
                         if s.strip())


def read_layout(path: str | Path) -> Layout:
    """Read any GDSII file.

    Args:
        path: the file.

    Raises:
        WlpmaskError: missing or unreadable file, not GDSII, or no cells.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise WlpmaskError("file not found", file=path) from None
    except IsADirectoryError:
        raise WlpmaskError("is a directory; expected a GDSII file", file=path) from None
    except OSError as exc:
        raise WlpmaskError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if head.startswith(b"%SEMI-OASIS"):
        raise WlpmaskError("an OASIS file; expected GDSII", file=path)
    if not head.startswith(_GDS_MAGIC):
        raise WlpmaskError("not a GDSII file (it does not start with a HEADER record)",
                           file=path)
    with _captured_fd2() as messages:
        try:
            unit, precision = gdstk.gds_units(str(path))
            lib = gdstk.read_gds(str(path), unit=1e-6)
            error = None
        except (OSError, RuntimeError, ValueError) as exc:
            error = str(exc)
    if error is not None:
        detail = "; ".join(dict.fromkeys(messages)) or error
        raise WlpmaskError(f"cannot read GDSII: {detail}", file=path)
    if not lib.cells:
        raise WlpmaskError("empty GDSII library: no cells", file=path)
    dbu_um = float(f"{precision / 1e-6:.12g}")
    return Layout(path, lib, dbu_um, tuple(dict.fromkeys(messages)))
