"""Solder order against hand-worked temperatures (DOMAIN.md 7)."""

from __future__ import annotations

import pytest

from wlpmask.physics import solder


def test_reflow_peak():
    assert solder.reflow_peak_c(liquidus_c=220.0, superheat_k=30.0) == 250.0


def test_au_sn_first_sac_second_leaves_30_k():
    # SAC305 liquidus 220 + 30 K superheat = 250 C; Au80Sn20 solidus 280 C: 30 K to spare
    assert solder.order_margin_k(first_solidus_c=280.0, second_liquidus_c=220.0,
                                 superheat_k=30.0) == pytest.approx(30.0)


def test_swapped_order_is_negative():
    # Au80Sn20 second: 280 + 30 = 310 C, SAC305 first melts at 217 C: 93 K too hot
    assert solder.order_margin_k(first_solidus_c=217.0, second_liquidus_c=280.0,
                                 superheat_k=30.0) == pytest.approx(-93.0)
