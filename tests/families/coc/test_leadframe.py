"""The lead frame and the placements, drawn and checked from first principles."""

from __future__ import annotations

import itertools

import gdstk
import numpy as np
import pytest
import shapely

from tests.designs import write_design
from tests.families.coc.designs import three_chip, two_chip
from wlpmask import geometry as geo
from wlpmask.design import load_design
from wlpmask.families.coc.placement import Placement


def _part(tmp_path, doc):
    return load_design(write_design(tmp_path, doc))[0].part


def test_placement_is_the_gds_reference_transform():
    pts = np.array([(10.0, 20.0), (-3.0, 7.5), (0.0, 0.0)])
    cell = gdstk.Cell("c")
    cell.add(gdstk.Polygon(pts))
    for rot, mirror in itertools.product((0, 90, 180, 270), (False, True)):
        p = Placement((100.0, -50.0), rot, mirror)
        got = p.reference(cell).get_polygons()[0].points
        assert np.allclose(got, p.apply(pts), atol=1e-9), (rot, mirror)
        assert np.allclose(p.invert(p.apply(pts)), pts, atol=1e-9)


def test_leads_count_counter_clockwise_from_the_upper_left(tmp_path):
    cp = _part(tmp_path, two_chip())
    leads = cp.plan.frame.leads
    cx, cy = 4500.0, 4500.0
    assert [ld.side for ld in leads] == ["left"] * 4 + ["bottom"] * 4 + ["right"] * 4 + \
        ["top"] * 4
    xy = np.array([ld.bump_xy for ld in leads])
    assert xy[0][1] > xy[3][1] and xy[0][0] < cx             # left side, top to bottom
    assert xy[4][0] < xy[7][0] and xy[4][1] < cy             # bottom, left to right
    assert xy[8][1] < xy[11][1] and xy[8][0] > cx            # right, bottom to top
    assert xy[12][0] > xy[15][0] and xy[12][1] > cy          # top, right to left
    # second bumps 250 um inside chip 1's edge (5 mm chip over the middle of the site)
    assert xy[0][0] == cx - 2500 + 250 and xy[4][1] == cy - 2500 + 250
    for ld in leads:
        land = shapely.box(*ld.land)
        assert land.contains(shapely.Point(ld.bump_xy))
        assert shapely.box(*ld.strip).contains(land)
        assert shapely.box(*cp.plan.frame.package).contains(land)


def _angles_ok(geom) -> bool:
    """No acute notch: no metal corner sharper than 270 degrees inside (90 outside)."""
    for poly in geo.polygon_parts(geom):
        ext = np.array(poly.exterior.coords[:-1])
        if geo.interior_angles_deg(ext).max() > 270 + 1e-6:
            return False
        for hole in poly.interiors:
            if geo.interior_angles_deg(np.array(hole.coords[:-1])).min() < 90 - 1e-6:
                return False
    return True


@pytest.mark.parametrize("make", [two_chip, three_chip])
def test_frame_metal_has_no_acute_notch(tmp_path, make):
    cp = _part(tmp_path, make())
    assert _angles_ok(cp.plan.frame.metal)
    assert _angles_ok(cp.plan.frame.plate_top) and _angles_ok(cp.plan.frame.plate_bot)


def test_an_acute_notch_is_found():
    notch = shapely.Polygon([(0, 0), (10, 0), (10, 10), (5, 1), (0, 10)])
    assert not _angles_ok(notch)


@pytest.mark.parametrize("make", [two_chip, three_chip])
def test_each_heat_sink_hangs_on_its_own_tie_bars(tmp_path, make):
    cp = _part(tmp_path, make())
    fp = cp.plan.frame
    package = shapely.box(*fp.package)
    sinks = {s.name: shapely.box(*s.box) for s in fp.sinks}
    leads = [shapely.box(*ld.strip) for ld in fp.leads]
    for s in fp.sinks:
        assert s.ties
        for tie in s.ties:
            inside = shapely.Polygon(tie.bar).intersection(package)
            touched = [n for n, b in sinks.items() if b.intersects(inside)]
            assert touched == [s.name]
            assert not any(ld.intersects(inside) for ld in leads)
            # the bar leaves the package: the cut frees it
            assert not package.contains(shapely.Polygon(tie.bar))


def test_heat_sink_openings_keep_clear_of_the_chip_and_the_adhesive(tmp_path):
    cp = _part(tmp_path, two_chip())
    (s,) = cp.plan.frame.sinks
    assert len(s.holes) == 12         # 3 per side in the 500 um band around a 2 mm chip
    chip = shapely.box(*s.footprint)
    for h in s.holes:
        hole = shapely.box(*h)
        assert shapely.box(*s.box).contains(hole) and not hole.intersects(chip)
    assert shapely.box(*s.footprint).contains(shapely.box(*s.adhesive))
