"""The lead-frame strip: sites stepped between side rails, its plates, its checks.

The strip's layout and plates are read back from their GDS cells with klayout.db and checked
independently of the generator: one piece of metal, clean under the frame's photo-etch rules,
each plate inside the metal (the bottom one once its mirroring is undone) and the two plates
together covering it.
"""

from __future__ import annotations

import gdstk
import klayout.db as kdb
import pytest

from tests.families.coc.designs import assert_plates_cover, generated, three_chip, two_chip
from wlpmask.drc import run_drc
from wlpmask.errors import WlpmaskError
from wlpmask.families.coc.checks import run_checks, strip_sample
from wlpmask.io.gds import flatten_gds_layer
from wlpmask.io.kdb import rule_count, to_region


def _strip(doc: dict, **strip) -> dict:
    doc["frame"]["strip"] = {"columns": 3, **strip}
    return doc


def _region(cell: gdstk.Cell, layer: tuple[int, int], dbu: float) -> kdb.Region:
    """A cell's polygons on one layer, flattened by gdstk, as a merged klayout.db region."""
    polys = cell.get_polygons(layer=layer[0], datatype=layer[1])
    return to_region([p.points for p in polys], dbu_um=dbu).merged()


def _checks(design, fam, product, shapes) -> dict:
    return {c.id: c for c in fam.checks(design.part, product, shapes, design.tech)}


@pytest.mark.parametrize("make", [two_chip, three_chip])
def test_strip_is_one_piece_clean_under_the_frame_rules(tmp_path, make):
    design, fam, product, shapes = generated(tmp_path, _strip(make(), rows=2))
    d, tech = design.part.design, design.tech
    got = _checks(design, fam, product, shapes)
    assert got["PROC.STRIP_HELD"].passed and got["PROC.STRIP_RULES"].passed
    assert all(c.passed for c in got.values())
    assert product.files["t.strip.png"][:8] == b"\x89PNG\r\n\x1a\n"   # its preview
    strip = product.layouts["t.strip.gds"]
    # the site is stepped by one array reference, not copied
    (ref,) = [r for r in strip.references]
    assert (ref.repetition.columns, ref.repetition.rows) == (3, 2)
    g = tech.grid_um
    metal = _region(strip, d.layers.FRAME.gds, g)
    assert metal.count() == 1
    w, h = d.frame.width_um, d.frame.height_um
    rail = d.tech.strip_rail_um
    assert metal.bbox() == kdb.Box(0, 0, round(3 * w / g), round((2 * h + 2 * rail) / g))
    # six pilot holes: the holes of the strip's metal, less those of the sites
    site = _region(product.layouts["t.strip.gds"].references[0].cell, d.layers.FRAME.gds, g)
    assert sum(p.holes() for p in metal.each()) == 6 * sum(p.holes() for p in site.each()) + 6
    for rid, rule in tech.rules.items():
        if set(rule.layers) == {d.layers.FRAME.name}:
            assert rule_count(rule, [metal], dbu_um=g) == 0, rid


def test_strip_plates_cover_the_metal_and_mirror_the_bottom(tmp_path):
    design, fam, product, shapes = generated(tmp_path, _strip(two_chip()))
    d, g = design.part.design, design.tech.grid_um
    metal = _region(product.layouts["t.strip.gds"], d.layers.FRAME.gds, g)
    top = _region(product.layouts["t.plate_top.gds"], d.layers.PLATE_TOP.gds, g)
    bottom = _region(product.layouts["t.plate_bottom.gds"], d.layers.PLATE_BOT.gds, g)
    assert_plates_cover(metal, top, bottom, width_dbu=round(3 * d.frame.width_um / g),
                        grow_dbu=round(d.tech.plate_difference_um / 2 / g))


def test_one_site_draws_no_strip(tmp_path):
    design, fam, product, shapes = generated(tmp_path, two_chip())
    assert set(product.layouts) == {"t.plate_top.gds", "t.plate_bottom.gds"}
    assert not product.files
    assert not any(c.startswith("PROC.STRIP") for c in _checks(design, fam, product, shapes))


def test_a_pilot_hole_wider_than_its_rail_is_bad_input(tmp_path):
    with pytest.raises(WlpmaskError, match="pilot hole") as e:
        generated(tmp_path, _strip(two_chip(), side_rail_um=1000.0, pilot_hole_um=900.0))
    assert e.value.key == "frame.strip.pilot_hole_um"


def test_a_pilot_hole_below_the_grid_is_bad_input(tmp_path):
    with pytest.raises(WlpmaskError, match="vanishes on the 0.001 um grid") as e:
        generated(tmp_path, _strip(two_chip(), pilot_hole_um=1e-9))
    assert e.value.key == "frame.strip.pilot_hole_um"


def test_a_small_pilot_hole_breaks_the_photo_etch_rules(tmp_path):
    # 100 um across: narrower than the slot rule (1.1 T) and rounder than 0.75 T allows
    design, fam, product, shapes = generated(tmp_path, _strip(two_chip(), pilot_hole_um=100.0))
    got = _checks(design, fam, product, shapes)
    c = got["PROC.STRIP_RULES"]
    assert not c.passed and c.measured >= 6 and "FRAME.S" in c.detail
    assert len(c.locations) >= 6
    assert {k for k, v in got.items() if not v.passed} == {"PROC.STRIP_RULES"}


def test_a_loose_piece_in_the_strip_fails(tmp_path):
    design, fam, product, shapes = generated(tmp_path, _strip(two_chip()))
    strip = product.layouts["t.strip.gds"].copy("t_strip_loose", deep_copy=True)
    d = design.part.design
    layer, dt = d.layers.FRAME.gds
    # an island in the middle of the first pilot hole
    x, y = design.part.plan.strip.holes[0]
    strip.add(gdstk.rectangle((x - 100, y - 100), (x + 100, y + 100), layer=layer, datatype=dt))
    got = {c.id: c for c in run_checks(design.part, product.top, shapes, design.tech,
                                       strip=strip)}
    assert not got["PROC.STRIP_HELD"].passed and got["PROC.STRIP_HELD"].measured == 1.0
    assert got["PROC.STRIP_HELD"].locations == ((x - 100, y - 100, x + 100, y + 100),)


def test_the_sample_of_a_long_strip_finds_what_the_whole_strip_has(tmp_path):
    """A strip of 5 x 1 sites with pilot holes too small: the checks read 3 x 1 of its sites
    (6 of its 10 holes); the whole strip, checked flat here, has the same violations hole
    for hole."""
    design, fam, product, shapes = generated(tmp_path, _strip(two_chip(), columns=5,
                                                               pilot_hole_um=100.0))
    d, tech = design.part.design, design.tech
    sample = strip_sample(design.part, tech)
    (ref,) = sample.references
    assert (ref.repetition.columns, ref.repetition.rows) == (3, 1)
    ids = [r for r, rule in tech.rules.items() if rule.layers == ("FRAME",)]
    found = {}
    for name, cell in (("sample", sample), ("whole", product.layouts["t.strip.gds"])):
        metal = flatten_gds_layer(cell, d.layers.FRAME.gds, dbu_um=tech.grid_um)
        found[name] = run_drc({"FRAME": metal}, tech, rules=ids).summary()
    assert sum(found["sample"].values()) > 0
    assert {k: v / 6 for k, v in found["sample"].items()} == \
        {k: v / 10 for k, v in found["whole"].items()}
    got = _checks(design, fam, product, shapes)["PROC.STRIP_RULES"]
    assert got.measured == sum(found["sample"].values())
