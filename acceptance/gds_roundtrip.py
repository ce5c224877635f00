"""GDS round trip against KLayout on third-party files (extmat/gds_roundtrip).

For each file: read it with wlpmask (read_layout, flatten every layer pair of every top cell)
and with klayout.db; compare the cell count and the per-layer flattened polygon counts. Then
write it back with wlpmask (write_cells, the file's own database unit), read the copy with
klayout.db and require an empty XOR on every layer of every top cell.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import klayout.db as kdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from wlpmask import __version__  # noqa: E402
from wlpmask.errors import WlpmaskError  # noqa: E402
from wlpmask.io.gds import KLAYOUT_CONTEXT_CELL, flatten_all, read_layout, write_cells  # noqa: E402


def _klayout(path: Path) -> kdb.Layout:
    options = kdb.LoadLayoutOptions()
    options.warn_level = 0  # proof_lib has texts at 30 deg, which KLayout reports on stderr
    ly = kdb.Layout()
    ly.read(str(path), options)
    return ly


def _klayout_counts(ly: kdb.Layout) -> tuple[int, Counter]:
    """Cells and flattened polygon counts per (layer, datatype) over all top cells."""
    counts: Counter = Counter()
    for top in ly.top_cells():
        if top.name == KLAYOUT_CONTEXT_CELL:
            continue
        for li in ly.layer_indexes():
            info = ly.get_info(li)
            it = top.begin_shapes_rec(li)
            n = 0
            # Region.count() of a layer read from a file counts the whole layer, so walk
            # the shapes; texts are not polygons.
            while not it.at_end():
                s = it.shape()
                n += s.is_polygon() or s.is_box() or s.is_path()
                it.next()
            if n:
                counts[(info.layer, info.datatype)] += n
    return sum(1 for c in ly.each_cell() if c.name != KLAYOUT_CONTEXT_CELL), counts


def _xor_differences(a: kdb.Layout, b: kdb.Layout) -> list[str]:
    """Layers (per top cell) where the two layouts differ."""
    bad = []
    for top in a.top_cells():
        if top.name == KLAYOUT_CONTEXT_CELL:
            continue
        other = b.cell(top.name)
        if other is None:
            bad.append(f"{top.name}: missing")
            continue
        for li in a.layer_indexes():
            info = a.get_info(li)
            lb = b.find_layer(info.layer, info.datatype)
            ra = kdb.Region(top.begin_shapes_rec(li))
            rb = kdb.Region(other.begin_shapes_rec(lb)) if lb is not None else kdb.Region()
            if not (ra ^ rb).is_empty():
                bad.append(f"{top.name} {info.layer}/{info.datatype}")
    return bad


def _fmt(cells: int, counts: Counter) -> str:
    layers = " ".join(f"{la}/{dt}:{n}" for (la, dt), n in sorted(counts.items()))
    return f"cells {cells}, polygons {sum(counts.values())} ({layers})"


def check_file(path: Path, out_dir: Path) -> bool:
    """Compare one file; print one line with expected (KLayout) and got (wlpmask)."""
    ref = _klayout(path)
    exp_cells, exp_counts = _klayout_counts(ref)
    try:
        layout = read_layout(path)
    except WlpmaskError as exc:
        print(f"  {path.name}: expected {_fmt(exp_cells, exp_counts)}; got error: {exc}")
        return False
    counts: Counter = Counter()
    for top in layout.top_cells():
        for pair, polys in flatten_all(top).items():
            counts[pair] += len(polys)
    got_cells = sum(1 for n in layout.cells if n != KLAYOUT_CONTEXT_CELL)
    copy = out_dir / path.name
    write_cells(copy, layout.top_cells(), dbu_um=layout.dbu_um,
                properties={"wlpmask_version": __version__})
    back = _klayout(copy)
    xor = _xor_differences(ref, back)
    back_cells, back_counts = _klayout_counts(back)
    ok = (got_cells, counts) == (exp_cells, exp_counts) and not xor \
        and (back_cells, back_counts) == (exp_cells, exp_counts) and back.dbu == ref.dbu
    print(f"  {path.name}: expected {_fmt(exp_cells, exp_counts)}, dbu {ref.dbu:g}; "
          f"got {_fmt(got_cells, counts)}, dbu {layout.dbu_um:g}; written back: "
          f"{_fmt(back_cells, back_counts)}, XOR "
          f"{'empty' if not xor else 'differs on ' + ', '.join(xor)} "
          f"[{'ok' if ok else 'FAIL'}]")
    return ok


def run(extmat: Path) -> bool:
    files = sorted((Path(extmat) / "gds_roundtrip").glob("*.gds"))
    if not files:
        print(f"  no GDS files in {Path(extmat) / 'gds_roundtrip'}")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        results = [check_file(f, Path(tmp)) for f in files]
    return all(results)


if __name__ == "__main__":
    default = HERE.parent.parent / "shared" / "extmat"
    sys.exit(0 if run(Path(sys.argv[1]) if len(sys.argv) > 1 else default) else 1)
