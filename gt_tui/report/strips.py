"""Timelines as inline SVG strips: each metric's health, and which map node was the worst.

Plain rectangles on a shared time axis, built with ElementTree (which escapes every text and
attribute it writes). A moment's colour lasts until the next refresh; the last one gets an
equal share of the width, so a single refresh still fills its strip.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import pairwise

from gt_tui.health import Health
from gt_tui.report.charts import HEALTH_COLOURS
from gt_tui.report.data import MetricHistory, Worst

STRIP_CLASS = "timeline-strip"  # every strip's SVG carries it; the browser test counts them
LABEL_W, PLOT_W, ROW_H, AXIS_H = 170, 720, 22, 18


def health_strips(histories: Sequence[MetricHistory], times: Sequence[datetime]) -> str:
    """One row per metric, coloured by its health at each refresh."""
    rows = [
        (h.label, [(p.at, p.health, f"{h.label}: {p.health.value}") for p in h.points])
        for h in histories
    ]
    return _strips("health-strips", rows, times)


def bottleneck_strips(timeline: Sequence[Worst], times: Sequence[datetime]) -> str:
    """One row per map node that was ever the worst (and one for "none"), marked, in its
    health's colour, where it was."""
    keys: dict[str | None, str] = {}
    for worst in timeline:
        keys.setdefault(worst.key, worst.title)
    rows = []
    for key, title in keys.items():
        cells = [(w.at, w.health, f"{w.title}: {w.health.value}") for w in timeline if w.key == key]
        rows.append(("all calm" if key is None else title, cells))
    return _strips("bottleneck-strips", rows, times)


Cell = tuple[datetime, Health, str]


def _strips(
    name: str, rows: Sequence[tuple[str, Sequence[Cell]]], times: Sequence[datetime]
) -> str:
    height = ROW_H * len(rows) + AXIS_H
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": f"{STRIP_CLASS} {name}",
            "viewBox": f"0 0 {LABEL_W + PLOT_W} {height}",
            "width": str(LABEL_W + PLOT_W),
            "height": str(height),
            "role": "img",
        },
    )
    place = _placer(times)
    for index, (label, cells) in enumerate(rows):
        y = index * ROW_H
        _text(svg, 4, y + ROW_H - 7, label)
        ET.SubElement(svg, "rect", _box(LABEL_W, y + 2, PLOT_W, ROW_H - 4, "#f1f3f4"))
        for at, health, title in cells:
            x, width = place(at)
            rect = ET.SubElement(
                svg, "rect", _box(x, y + 2, width, ROW_H - 4, HEALTH_COLOURS[health])
            )
            rect.set("data-health", health.value)
            ET.SubElement(rect, "title").text = f"{at:%H:%M:%S} {title}"
    if times:
        bottom = ROW_H * len(rows) + AXIS_H - 4
        _text(svg, LABEL_W, bottom, f"{times[0]:%H:%M:%S}")
        _text(svg, LABEL_W + PLOT_W, bottom, f"{times[-1]:%H:%M:%S}", anchor="end")
    return ET.tostring(svg, encoding="unicode")


def _placer(times: Sequence[datetime]) -> Callable[[datetime], tuple[float, float]]:
    """x and width of the cell of each moment in `times` (sorted, distinct or not)."""
    ordered = sorted(set(times))
    if len(ordered) < 2:
        return lambda at: (float(LABEL_W), float(PLOT_W))
    start = ordered[0]
    step = (ordered[-1] - start).total_seconds() / (len(ordered) - 1)
    whole = (ordered[-1] - start).total_seconds() + step
    after = dict(pairwise(ordered))

    def place(at: datetime) -> tuple[float, float]:
        begin = (at - start).total_seconds()
        end = (after[at] - start).total_seconds() if at in after else begin + step
        return LABEL_W + PLOT_W * begin / whole, max(PLOT_W * (end - begin) / whole, 1.0)

    return place


def _box(x: float, y: float, width: float, height: float, fill: str) -> dict[str, str]:
    return {
        "x": f"{x:.2f}",
        "y": f"{y:.2f}",
        "width": f"{width:.2f}",
        "height": f"{height:.2f}",
        "fill": fill,
    }


def _text(parent: ET.Element, x: float, y: float, words: str, anchor: str = "start") -> None:
    attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": "12", "text-anchor": anchor}
    ET.SubElement(parent, "text", attrs).text = words
