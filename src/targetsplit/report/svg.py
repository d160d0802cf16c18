"""Small SVG charts for the HTML reports, drawn with our own code.

Positions are computed from the exact figures (fractions) and written with
one decimal (they are drawing positions, not figures: no binary floats are
involved). Every text is escaped; the figures in labels are the strings the
other formats print, made by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.report.html import esc

STATUS_COLOUR = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
NO_STATUS = "#9e9e9e"
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
WIDTH = 760
LABEL_CHARS = 28  # a name in a chart is cut to this many characters (the table has it whole)


def n(x: Fraction | int) -> str:
    """A drawing position, to one decimal (exact arithmetic, no float)."""
    tenths = round(Fraction(x) * 10)
    return format(Decimal(tenths).scaleb(-1), "f").removesuffix(".0")


def short(name: str, chars: int = LABEL_CHARS) -> str:
    return name if len(name) <= chars else name[: chars - 1] + "…"


def text(
    x: Fraction | int, y: Fraction | int, content: str, anchor: str = "start", cls: str = ""
) -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{n(x)}" y="{n(y)}" text-anchor="{anchor}"{klass}>{esc(content)}</text>'


def svg(width: int, height: int | Fraction, label: str, parts: Sequence[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {n(height)}" role="img"'
        f' aria-label="{esc(label)}">' + "".join(parts) + "</svg>"
    )


@dataclass(frozen=True)
class BurnUp:
    """What the burn-up chart draws: cumulative target and actual at the end
    of each week (the actual through the cut-off), and where the cut-off falls."""

    title: str
    week_labels: Sequence[str]
    target: Sequence[Fraction]  # cumulative, at each week's end
    actual: Sequence[Fraction]  # cumulative, at each week's end through the cut-off week
    cut: Fraction  # the cut-off's place in weeks from the start (2.5: mid-week 3)
    to_date: Fraction  # the target to date at the cut-off
    y_labels: Sequence[tuple[Fraction, str]]  # figures written at their height


def burnup(b: BurnUp) -> str:
    left, right, top, bottom, height = 84, 16, 12, 26, 280
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [Fraction(0), *b.target, *b.actual, b.to_date]
    hi, lo = max(values), min(values)
    span = (hi - lo) or Fraction(1)
    hi, lo = hi + span / 20, lo - (span / 20 if lo < 0 else 0)
    weeks = max(1, len(b.week_labels))

    def x(w: Fraction | int) -> Fraction:
        return left + Fraction(w) * plot_w / weeks

    def y(v: Fraction) -> Fraction:
        return top + (hi - v) * plot_h / (hi - lo)

    right_x = left + plot_w
    parts = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="plot"/>']
    for value, label in b.y_labels:
        yy = n(y(value))
        parts.append(f'<line x1="{left}" x2="{right_x}" y1="{yy}" y2="{yy}" class="grid"/>')
        parts.append(text(left - 6, y(value) + 4, label, "end", "tick"))
    if lo < 0:
        zero = n(y(Fraction(0)))
        parts.append(f'<line x1="{left}" x2="{right_x}" y1="{zero}" y2="{zero}" class="axis"/>')
    every = max(1, -(-weeks // 13))
    for i, label in enumerate(b.week_labels):
        if i % every == 0:
            mid = x(i) + Fraction(plot_w, 2 * weeks)
            parts.append(text(mid, top + plot_h + 16, label.rsplit("-", 1)[-1], "middle", "tick"))
    cx = x(b.cut)
    parts.append(f'<line x1="{n(cx)}" x2="{n(cx)}" y1="{top}" y2="{top + plot_h}" class="cut"/>')
    target = [(x(0), y(Fraction(0)))] + [(x(i + 1), y(v)) for i, v in enumerate(b.target)]
    actual = [(x(0), y(Fraction(0)))] + [(min(x(i + 1), cx), y(v)) for i, v in enumerate(b.actual)]
    parts.append(_line(target, "target"))
    if b.actual:
        parts.append(_line(actual, "actual"))
    parts.append(f'<circle cx="{n(cx)}" cy="{n(y(b.to_date))}" r="4" class="to-date"/>')
    if b.actual:
        ax, ay = actual[-1]
        parts.append(f'<circle cx="{n(ax)}" cy="{n(ay)}" r="4" class="actual-dot"/>')
    return svg(WIDTH, height, b.title, parts)


def _line(points: Sequence[tuple[Fraction, Fraction]], cls: str) -> str:
    coords = " ".join(f"{n(px)},{n(py)}" for px, py in points)
    return f'<polyline points="{coords}" class="{cls}"/>'


@dataclass(frozen=True)
class Bar:
    name: str
    share: Fraction | None  # None: no bar (no target to date)
    label: str  # the figure printed beside it
    status: str | None


def bars(title: str, items: Sequence[Bar], mark: Fraction = Fraction(1)) -> str:
    """Horizontal bars, one per item, on a common scale from 0 to at least
    ``mark`` (a dashed line: 100 % attainment); a bar past twice the mark is
    cut there (its label says how far it goes)."""
    row, top, label_w, left_pad = 24, 10, 220, 8
    right = 90
    plot_w = WIDTH - label_w - left_pad - right
    shares = [i.share for i in items if i.share is not None]
    scale = max([mark, *shares]) if shares else mark
    scale = min(scale, 2 * mark)
    height = top * 2 + row * max(1, len(items))
    x0 = label_w + left_pad

    def x(v: Fraction) -> Fraction:
        return x0 + max(Fraction(0), min(v, scale)) * plot_w / scale

    parts = []
    for k, item in enumerate(items):
        yy = top + k * row
        parts.append(text(label_w, yy + 16, short(item.name), "end", "name"))
        if item.share is not None:
            colour = STATUS_COLOUR.get(item.status or "", NO_STATUS)
            w = x(item.share) - x0
            parts.append(
                f'<rect x="{x0}" y="{yy + 4}" width="{n(w)}" height="{row - 8}"'
                f' fill="{colour}" rx="2"/>'
            )
        parts.append(text(x(item.share or Fraction(0)) + 6, yy + 16, item.label, cls="value"))
    mx = x(mark)
    parts.append(
        f'<line x1="{n(mx)}" x2="{n(mx)}" y1="{top - 4}" y2="{height - top + 4}" class="mark"/>'
    )
    return svg(WIDTH, height, title, parts)


@dataclass(frozen=True)
class Part:
    name: str
    share: Fraction  # of the whole (the parts add up to 1)
    label: str  # the figure and share printed for it


def split_bar(title: str, whole: str, parts_: Sequence[Part]) -> str:
    """One bar cut into the parts of a whole (a parent's split among its
    children), with a legend: each part's colour, name and figures."""
    top, bar_h, row = 22, 26, 18
    left, plot_w = 8, WIDTH - 16
    height = top + bar_h + 12 + row * len(parts_) + 4
    parts = [text(left, 15, whole, cls="whole")]
    at = Fraction(0)
    for k, p in enumerate(parts_):
        colour = PALETTE[k % len(PALETTE)]
        share = max(Fraction(0), p.share)
        x = left + at * plot_w
        w = share * plot_w
        parts.append(
            f'<rect x="{n(x)}" y="{top}" width="{n(w)}" height="{bar_h}" fill="{colour}"/>'
        )
        at += share
        ly = top + bar_h + 12 + row * k
        parts.append(f'<rect x="{left}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        parts.append(text(left + 18, ly + 11, f"{short(p.name, 40)}  {p.label}", cls="legend"))
    return svg(WIDTH, height, title, parts)


def columns(
    title: str, labels: Sequence[str], values: Sequence[Fraction], texts: Sequence[str]
) -> str:
    """Vertical bars, one per period, with its figure above it when they fit."""
    left, right, top, bottom, height = 8, 8, 24, 28, 220
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    hi = max([Fraction(0), *values]) or Fraction(1)
    lo = min([Fraction(0), *values])
    count = max(1, len(values))
    slot = Fraction(plot_w, count)
    every = max(1, -(-count // 13))

    def y(v: Fraction) -> Fraction:
        return top + (hi - v) * plot_h / (hi - lo)

    parts = []
    for k, (label, v, t) in enumerate(zip(labels, values, texts, strict=True)):
        x = left + k * slot + slot / 8
        y0, y1 = sorted((y(Fraction(0)), y(v)))
        parts.append(
            f'<rect x="{n(x)}" y="{n(y0)}" width="{n(slot * 3 / 4)}" height="{n(y1 - y0)}"'
            f' fill="{PALETTE[0]}"/>'
        )
        if count <= 13:
            parts.append(text(x + slot * 3 / 8, y0 - 5, t, "middle", "value"))
        if k % every == 0:
            parts.append(text(x + slot * 3 / 8, top + plot_h + 16, label, "middle", "tick"))
    zero = y(Fraction(0))
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{n(zero)}" y2="{n(zero)}" class="axis"/>'
    )
    return svg(WIDTH, height, title, parts)
