"""The Stats page's chart: letters sent per week, stacked by kind, as the shapes of an
inline SVG drawn on the server (no script). Every figure drawn is also in the page's
table; the colours are dark enough to read on the chart's white ground (at least 4.5:1)
and the stacked parts are parted by a white line."""

from __future__ import annotations

import math
from dataclasses import dataclass

from followup.services.stats import KINDS, Week
from followup.web.i18n import format_date

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56
COLOURS = {
    "thank_you": "#1e6b3a",
    "apology": "#b3261e",
    "cooperation": "#1a5fb4",
    "lost_client": "#6a3d9a",
    "guarantee_offer": "#7a4f00",
    "guarantee_checkin": "#00626f",
}


@dataclass(frozen=True)
class Bar:
    kind: str
    x: float
    y: float
    width: float
    height: float
    colour: str
    count: int


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    bottom: float  # the x axis's y
    right: float
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    colours: dict[str, str]


def nice_step(top: int) -> int:
    """A step of 1, 2 or 5 times a power of ten giving about four lines up to ``top``."""
    if top <= 4:
        return 1
    rough = top / 4
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def chart(weeks: list[Week], language: str) -> Chart:
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    highest = max((week.total for week in weeks), default=0)
    step = nice_step(highest)
    ceiling = max(step, math.ceil(highest / step) * step)
    scale = plot_height / ceiling
    bottom = TOP + plot_height
    slot = plot_width / max(len(weeks), 1)
    bar_width = slot * 0.7
    bars = []
    x_ticks = []
    every = max(1, math.ceil(len(weeks) / 13))
    for position, week in enumerate(weeks):
        x = LEFT + position * slot + (slot - bar_width) / 2
        y = float(bottom)
        for kind in KINDS:
            count = week.counts.get(kind, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            bars.append(Bar(kind, round(x, 1), round(y, 1), round(bar_width, 1),
                            round(height, 1), COLOURS[kind], count))  # fmt: skip
        if position % every == 0:
            label = format_date(week.starts_on, language, "d MMM")
            x_ticks.append(Tick(round(x + bar_width / 2, 1), label))
    y_ticks = [
        Tick(round(bottom - value * scale, 1), str(value))
        for value in range(0, ceiling + 1, step)
    ]
    return Chart(
        WIDTH, HEIGHT, LEFT, TOP, float(bottom), float(WIDTH - RIGHT), bars, y_ticks, x_ticks,
        COLOURS,
    )  # fmt: skip
