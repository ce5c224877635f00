"""The chip-on-chip z-stack against hand-worked heights."""

from __future__ import annotations

import pytest

from wlpmask.physics import zstack


def test_balanced_stack():
    # 60 + 100 + 25 = 185 um against 110 + 75 = 185 um
    assert zstack.stack_mismatch_um(first_bump_um=60, chip_um=100, adhesive_um=25,
                                    second_bump_um=110, recess_um=75) == 0.0


def test_mismatch_and_the_recess_that_fixes_it():
    # a 150 um chip: 235 against 185 um, 50 um too high; a 125 um recess balances it
    kw = dict(first_bump_um=60, chip_um=150, adhesive_um=25, second_bump_um=110)
    assert zstack.stack_mismatch_um(**kw, recess_um=75) == pytest.approx(50.0)
    assert zstack.balancing_recess_um(**kw) == pytest.approx(125.0)


@pytest.mark.parametrize("recess, fits", [(0.0, True), (37.4, False), (37.5, True),
                                          (112.5, True), (112.6, False)])
def test_recess_fits_a_150_um_frame(recess, fits):
    # half-etch 25 % .. 75 % of 150 um: 37.5 .. 112.5 um
    assert zstack.recess_fits(recess_um=recess, frame_um=150.0, min_ratio=0.25,
                              max_ratio=0.75) is fits
