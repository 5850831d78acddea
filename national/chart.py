"""A bar chart of the net saving per province, drawn as SVG by the server (no script, no library).

One horizontal bar per province, largest net first, to the right of the zero line when the province saved more than
its lines cost and to the left when it did not. The template draws what this computes: positions in the SVG's own
units (the drawing scales to the screen's width).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .selectors import ProvinceFigures

WIDTH = 640
LABEL_WIDTH = 150
VALUE_WIDTH = 110
BAR_HEIGHT = 14
ROW_HEIGHT = 20
TOP = 8


@dataclass(frozen=True)
class Bar:
    name: str
    net: Decimal
    x: float
    y: float
    width: float
    text_y: float
    value_x: float
    gain: bool


@dataclass(frozen=True)
class NetChart:
    bars: list[Bar]
    height: int
    zero_x: float
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def net_chart(rows: list[ProvinceFigures]) -> NetChart | None:
    """The chart of the provinces with something to show (a meeting or a charge); None when there is none."""
    shown = sorted((r for r in rows if r.meetings_held or r.cost or r.travels), key=lambda r: (-r.net, r.code))
    if not shown:
        return None
    most = max((r.net for r in shown), default=Decimal(0))
    least = min((r.net for r in shown), default=Decimal(0))
    most, least = max(most, Decimal(0)), min(least, Decimal(0))
    span = (most - least) or Decimal(1)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    zero_x = LABEL_WIDTH + float((-least) / span) * plot
    bars = []
    for index, row in enumerate(shown):
        length = float(abs(row.net) / span) * plot
        y = TOP + index * ROW_HEIGHT
        x = zero_x if row.net >= 0 else zero_x - length
        bars.append(
            Bar(
                name=row.name_th,
                net=row.net,
                x=round(x, 1),
                y=y,
                width=round(max(length, 0.5), 1),
                text_y=y + BAR_HEIGHT - 3,
                value_x=round(max(zero_x, x + length) + 4, 1) if row.net >= 0 else round(zero_x + 4, 1),
                gain=row.net >= 0,
            )
        )
    return NetChart(bars=bars, height=TOP * 2 + len(shown) * ROW_HEIGHT, zero_x=round(zero_x, 1))
