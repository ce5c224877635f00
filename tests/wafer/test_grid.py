"""Die counts: the published gdw figure and an exact integer count written here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wlpmask.wafer.grid import Outline, candidate_offsets, die_sites, search_offset


def exact_count(radius, edge, step, offset, *, flat=None, notch=None) -> int:
    """Full dies by brute force in exact integer arithmetic (um): every corner in the shrunk
    disc, the bottom edge above the moved flat, the box clear of the notch disc."""
    sx, sy = step
    r = radius - edge
    n = 0
    for i in range(-radius // sx - 2, radius // sx + 3):
        for j in range(-radius // sy - 2, radius // sy + 3):
            x0 = offset[0] + i * sx - sx // 2
            y0 = offset[1] + j * sy - sy // 2
            x1, y1 = x0 + sx, y0 + sy
            if any(x * x + y * y > r * r for x in (x0, x1) for y in (y0, y1)):
                continue
            if flat is not None:
                # y0 >= -sqrt(R^2 - (L/2)^2) + edge, squared on the side where it matters
                lim = y0 - edge
                if lim < 0 and 4 * lim * lim > 4 * radius * radius - flat * flat:
                    continue
            if notch is not None:
                dx = 0 if x0 <= 0 <= x1 else min(abs(x0), abs(x1))
                ny = -radius
                dy = 0 if y0 <= ny <= y1 else min(abs(y0 - ny), abs(y1 - ny))
                if dx * dx + dy * dy < notch * notch:
                    continue
            n += 1
    return n


def test_published_gdw_figure():
    # 5 x 5 mm dies on 150 mm, 5 mm edge and flat exclusion, a die corner at the centre
    outline = Outline(75_000.0, 5_000.0, flat_um=57_500.0)
    assert die_sites(outline, (5000.0, 5000.0), (2500.0, 2500.0)).count == 546


CASES = [  # radius, edge, flat, notch, step (um)
    (50_000, 3_000, 32_500, None, (5000, 5000)),
    (50_000, 2_000, 32_500, None, (3000, 7000)),
    (75_000, 5_000, 57_500, None, (5000, 5000)),
    (75_000, 3_000, 57_500, None, (12000, 8000)),
    (100_000, 3_000, None, 5_000, (5000, 5000)),
    (100_000, 3_000, None, 12_000, (7000, 4000)),
    (150_000, 3_000, None, 5_000, (5000, 5000)),
    (150_000, 4_000, None, 8_000, (20000, 20000)),
]


@pytest.mark.parametrize("radius,edge,flat,notch,step", CASES)
def test_counts_equal_an_exact_count(radius, edge, flat, notch, step):
    outline = Outline(float(radius), float(edge), None if flat is None else float(flat),
                      None if notch is None else float(notch))
    stepf = (float(step[0]), float(step[1]))
    for off in candidate_offsets(stepf):
        got = die_sites(outline, stepf, off).count
        want = exact_count(radius, edge, step, (int(off[0]), int(off[1])), flat=flat,
                           notch=notch)
        assert got == want, (off, got, want)


def test_flat_and_notch_take_dies_at_the_bottom():
    step = (5000.0, 5000.0)
    plain = die_sites(Outline(75_000.0, 3_000.0), step, (0.0, 0.0))
    flat = die_sites(Outline(75_000.0, 3_000.0, flat_um=57_500.0), step, (0.0, 0.0))
    assert flat.count < plain.count
    lost = {(int(i), int(j)) for i, j in zip(plain.i, plain.j)} - \
        {(int(i), int(j)) for i, j in zip(flat.i, flat.j)}
    assert lost and all(j < 0 for _, j in lost)  # only dies at the flat side (bottom)
    notch = die_sites(Outline(75_000.0, 3_000.0, notch_keepout_um=12_000.0), step, (0.0, 0.0))
    gone = {(int(i), int(j)) for i, j in zip(plain.i, plain.j)} - \
        {(int(i), int(j)) for i, j in zip(notch.i, notch.j)}
    assert gone and all(j < 0 and abs(i) <= 2 for i, j in gone)


def test_offset_search_keeps_the_best_candidate_and_lists_all():
    outline = Outline(75_000.0, 5_000.0, flat_um=57_500.0)
    best, cands = search_offset(outline, (5000.0, 5000.0))
    assert [c["offset_um"] for c in cands] == [list(o) for o in
                                               candidate_offsets((5000.0, 5000.0))]
    counts = [c["dies"] for c in cands]
    assert 546 in counts  # the corner-at-centre candidate
    assert list(best) == cands[int(np.argmax(counts))]["offset_um"]
    assert max(counts) > 546  # another shift does better on this wafer


def test_keepouts_and_partial_dies():
    outline = Outline(50_000.0, 3_000.0, flat_um=32_500.0)
    step = (5000.0, 5000.0)
    box = (-2000.0, -2000.0, 2000.0, 2000.0)
    with_box = die_sites(outline, step, (0.0, 0.0), keepouts=[box])
    assert die_sites(outline, step, (0.0, 0.0)).count - with_box.count == 1
    b = with_box.boxes
    assert not np.any((b[:, 0] < box[2]) & (b[:, 2] > box[0]) & (b[:, 1] < box[3])
                      & (b[:, 3] > box[1]))
    both = die_sites(outline, step, (0.0, 0.0), partial=True)
    part = both.boxes[~both.full]
    assert len(part) > 0 and not outline.full(part).any()
    # every partial die overlaps the wafer: its nearest point lies inside the disc
    near = np.hypot(np.clip(0, part[:, 0], part[:, 2]), np.clip(0, part[:, 1], part[:, 3]))
    assert np.all(near < outline.radius_um)
    assert np.all(part[:, 3] > outline.flat_y_um)
    assert math.isclose(outline.flat_y_um, -math.sqrt(50_000.0 ** 2 - 16_250.0 ** 2))
