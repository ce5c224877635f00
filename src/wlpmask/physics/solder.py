"""The order of two solder interconnects (DOMAIN.md 7): the second reflow spares the first.

The second interconnect is reflowed to its liquidus plus a superheat; that peak must stay below
the first interconnect's solidus by a margin, or the first joints melt again. Temperatures in
C, differences in K.
"""

from __future__ import annotations


def reflow_peak_c(*, liquidus_c: float, superheat_k: float) -> float:
    """The peak temperature of a reflow: the solder's liquidus plus the superheat.

    Args:
        liquidus_c: the solder's liquidus.
        superheat_k: how far above the liquidus the reflow goes.
    """
    return liquidus_c + superheat_k


def order_margin_k(*, first_solidus_c: float, second_liquidus_c: float,
                   superheat_k: float) -> float:
    """How far the second reflow's peak stays below the first solder's solidus (K).

    Args:
        first_solidus_c: solidus of the first interconnect's solder.
        second_liquidus_c: liquidus of the second interconnect's solder.
        superheat_k: the reflow superheat above the liquidus.
    """
    return first_solidus_c - reflow_peak_c(liquidus_c=second_liquidus_c,
                                           superheat_k=superheat_k)
