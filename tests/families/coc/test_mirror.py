"""Face-to-face bump maps on random netlists, read back from the written GDS by klayout.db.

Nothing here uses the generator's geometry: the chips' placements are the instance transforms
in ASSEMBLY as KLayout reads them, the bumps are the layers' polygons and texts, and the mirror
is written down from what flipping a chip about an axis means.
"""

from __future__ import annotations

import random

import klayout.db as kdb
import pytest

from tests.families.coc.designs import generated, two_chip
from wlpmask.io.gds import write_gds

NAMES = ["VDD", "VSS", "CLK", "RST", *[f"D{i}" for i in range(12)]]


def random_design(seed: int) -> dict:
    rng = random.Random(seed)
    doc = two_chip()
    w1 = rng.choice([4500.0, 5000.0, 5500.0])
    h1 = rng.choice([4500.0, 5000.0, 5500.0])
    w2, h2 = rng.randrange(1000, 2400, 10) * 1.0, rng.randrange(1000, 2400, 10) * 1.0
    pitch = rng.choice([250.0, 270.0, 320.0])
    cols = int((w2 - 250.0) // pitch) + 1
    rows = int((h2 - 250.0) // pitch) + 1
    n = rng.randrange(2, cols * rows + 1)
    nets = [rng.choice(NAMES) if rng.random() > 0.15 else "" for _ in range(n)]
    nets[0] = nets[0] or "VDD"
    doc["chip1"].update(width_um=w1, height_um=h1, flip_axis=rng.choice(["x", "y"]))
    doc["first"]["pitch_um"] = pitch
    doc["upper"]["chip2"] = {
        "width_um": w2, "height_um": h2,
        "place_um": [rng.randrange(700, int(w1 - 700 - w2), 10) * 1.0,
                     rng.randrange(700, int(h1 - 700 - h2), 10) * 1.0]}
    doc["netlist"]["first"]["chip2"] = nets
    return doc


def _texts(layout: kdb.Layout, cell: str, layer: int, trans) -> dict:
    out = {}
    for t in kdb.Texts(layout.cell(cell).begin_shapes_rec(layer)).transformed(trans).each():
        out[(t.x, t.y)] = t.string
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_netlist_faces_its_mirror(tmp_path, seed):
    doc = random_design(seed)
    design, fam, product, shapes = generated(tmp_path, doc)
    tech = design.tech
    write_gds(tmp_path / "t.gds", product.top, tech=tech)
    ly = kdb.Layout()
    ly.read(str(tmp_path / "t.gds"))
    asm = ly.cell("ASSEMBLY")
    trans = {inst.cell.name: inst.cplx_trans for inst in asm.each_inst()}
    placed = {inst.cell.name: inst.dcplx_trans for inst in asm.each_inst()}
    assert set(trans) == {"t_frame", "t_chip1", "t_chip2"}
    assert asm.shapes(ly.layer(*tech.layers["BUMP1"].gds)).is_empty()   # references only
    b1, bc = (ly.layer(*tech.layers[n].gds) for n in ("BUMP1", "BUMPC"))

    # shapes: chip 2's bumps carried by its reference XOR chip 1's first bumps by its own
    lower = kdb.Region(ly.cell("t_chip1").begin_shapes_rec(b1)).transformed(trans["t_chip1"])
    upper = kdb.Region(ly.cell("t_chip2").begin_shapes_rec(bc)).transformed(trans["t_chip2"])
    assert lower.count() == upper.count() == sum(1 for x in doc["netlist"]["first"]["chip2"]
                                                 if x)
    assert (lower ^ upper).is_empty()

    # nets: equal at every placed position
    n1 = _texts(ly, "t_chip1", b1, trans["t_chip1"])
    n2 = _texts(ly, "t_chip2", bc, trans["t_chip2"])
    assert n1 == n2 and len(n1) == lower.count()

    # chip 1's field, row by row from its lower-left site, is the netlist without empties
    own1 = _texts(ly, "t_chip1", b1, kdb.ICplxTrans())
    order = sorted(own1, key=lambda p: (p[1], p[0]))
    assert [own1[p] for p in order] == [x for x in doc["netlist"]["first"]["chip2"] if x]

    # chip 2's own map is chip 1's field mirrored about the flip axis, in chip 2's frame
    dbu = ly.dbu
    up = doc["upper"]["chip2"]
    px, py = (round(v / dbu) for v in up["place_um"])
    w2, h2 = round(up["width_um"] / dbu), round(up["height_um"] / dbu)
    if doc["chip1"]["flip_axis"] == "x":
        want = {(x - px, py + h2 - y): net for (x, y), net in own1.items()}
    else:
        want = {(px + w2 - x, y - py): net for (x, y), net in own1.items()}
    assert _texts(ly, "t_chip2", bc, kdb.ICplxTrans()) == want

    # the manifest's placements are the GDS instance transforms
    m = fam.manifest(design.part, product)
    for chip in m["chips"]:
        t = placed[chip["cell"]]
        p = chip["placement"]
        assert (p["origin_um"], p["rotation_deg"], p["mirror_x"]) == (
            [pytest.approx(t.disp.x), pytest.approx(t.disp.y)], t.angle, t.is_mirror())
    checks = fam.checks(design.part, product, shapes, tech)
    assert [c.passed for c in checks if c.id.startswith("PROC.MIRROR")] == [True, True]
