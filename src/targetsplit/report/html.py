"""HTML reports: one self-contained file (inline CSS and SVG, no scripts, no
fonts, no links out) that opens, prints on A4 and travels by mail.

Built with our own small code: every text from a plan goes through :func:`esc`
(control characters shown as escapes, then HTML-escaped, quotes too), so a
name is never markup. The figures are the strings the other formats print,
made by the report modules; a figure's cell also carries its exact value as
the JSON output writes it (``data-value``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from targetsplit.report.grid import Grid
from targetsplit.report.textsafe import visible

STATUSES = ("green", "yellow", "red")
# System fonts only, with CJK fallbacks for Chinese, Japanese and Korean names.
FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,'
    ' "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",'
    ' "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei",'
    ' "Noto Sans CJK JP", "Noto Sans CJK KR", "Malgun Gothic", sans-serif'
)

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: #212121; background: #fff; margin: 24px auto;
  max-width: 1100px; padding: 0 16px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #e0e0e0; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: #555; margin: 0 0 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px;
  margin: 8px 0 16px; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; }
.kpi { border: 1px solid #e0e0e0; border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.kpi .k { color: #555; font-size: 12px; }
.kpi .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
th { text-align: left; background: #f5f5f5; border-bottom: 1px solid #ccc; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { white-space: normal; overflow-wrap: anywhere; min-width: 9em; }
.scroll { overflow-x: auto; }
tr.root td { font-weight: 600; background: #fafafa; }
.status { display: inline-block; padding: 0 8px; border-radius: 9px; color: #fff;
  font-size: 12px; font-weight: 600; }
.green { background: #2e7d32; } .yellow { background: #f9a825; color: #212121; }
.red { background: #c62828; }
.bar { width: 64px; height: 10px; background: #eceff1; border-radius: 2px; display: inline-block;
  position: relative; vertical-align: middle; }
.bar span { display: block; height: 100%; border-radius: 2px; }
.bar span.plain { background: #1565c0; }
.bar.over::after { content: "+"; position: absolute; right: -10px; top: -5px; font-size: 12px; }
svg.chart { width: 100%; max-width: 760px; height: auto; display: block; margin: 4px 0 12px;
  font-family: FONTS; font-size: 12px; }
svg .plot { fill: #fcfcfc; stroke: #ccc; }
svg .grid { stroke: #e6e6e6; }
svg .axis { stroke: #888; }
svg .tick { fill: #666; font-size: 11px; }
svg .target { fill: none; stroke: #1565c0; stroke-width: 2; stroke-dasharray: 6 3; }
svg .actual { fill: none; stroke: #ef6c00; stroke-width: 2.5; }
svg .actual-dot { fill: #ef6c00; }
svg .to-date { fill: #1565c0; }
svg .cut { stroke: #616161; stroke-width: 1.5; stroke-dasharray: 3 3; }
svg .mark { stroke: #424242; stroke-dasharray: 4 3; }
svg .name, svg .legend, svg .value, svg .whole { fill: #212121; }
svg .whole { font-weight: 600; }
p.legend { margin: -6px 0 14px; font-size: 12px; color: #424242; }
p.legend .item { display: inline-block; margin-right: 18px; white-space: nowrap; }
.key { display: inline-block; width: 26px; height: 0; vertical-align: middle; margin-right: 6px; }
.key.target { border-top: 2px dashed #1565c0; }
.key.actual { border-top: 3px solid #ef6c00; }
.key.cut { width: 0; height: 14px; border-left: 2px dotted #616161; margin: 0 8px; }
.note { color: #555; font-size: 12px; }
footer { color: #777; font-size: 11px; margin-top: 24px; border-top: 1px solid #eee;
  padding-top: 6px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10px; }
  h2 { break-after: avoid; }
  table { font-size: 9px; }
  th, td { padding: 1px 4px; }
  thead { display: table-header-group; }
  tr, svg.chart, .kpis { break-inside: avoid; }
  .scroll { overflow: visible; }
  svg.chart { max-width: 180mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".replace("FONTS", FONTS)


def esc(text: str) -> str:
    """Plan text as inert HTML: controls as escapes (``\\x1b``), then ``& < > " '``."""
    if text.isprintable() and not any(c in text for c in "&<>\"'"):
        return text  # (most figures and names: nothing to escape)
    return html.escape(visible(text), quote=True)


def page(title: str, parts: Iterable[str], footer: str) -> str:
    """A whole HTML document."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(parts)
        + f"\n<footer>{esc(footer)}</footer>\n</body></html>\n"
    )


def facts(pairs: Sequence[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs)
    return f'<dl class="facts">{items}</dl>'


def kpis(pairs: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<div class="kpi"><div class="k">{esc(k)}</div><div class="v">'
        f"{status_pill(v) if k == 'status' and v in STATUSES else esc(v)}</div></div>"
        for k, v in pairs
    )
    return f'<div class="kpis">{items}</div>'


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and for a figure its field and exact value."""

    text: str
    field: str = ""  # the figure's JSON name (data-field)
    value: str | None = None  # its exact value as JSON writes it (data-value)
    numeric: bool = False
    markup: str | None = None  # made here (a status pill, a bar): used as is

    def render(self, first: bool = False, depth: int = 0) -> str:
        attrs = ""
        if self.field:
            attrs += f' data-field="{esc(self.field)}"'
        if self.value is not None:
            attrs += f' data-value="{esc(self.value)}"'
        cls = "num" if self.numeric else "name" if first else ""
        klass = f' class="{cls}"' if cls else ""
        if depth:
            attrs += f' style="padding-left:{8 + 16 * depth}px"'
        body = self.markup if self.markup is not None else esc(self.text)
        return f"<td{klass}{attrs}>{body}</td>"


def table(
    caption: str,
    headers: Sequence[tuple[str, bool]],
    rows: Sequence[Sequence[Cell]],
    depths: Sequence[int] = (),
    keys: Sequence[str] = (),
    cls: str = "",
    metric: str = "",
) -> str:
    """A table; with ``depths``, the first column is a tree (indented, the root
    bold); ``keys`` name each row's node (data-path), ``metric`` the metric of
    its figures (data-metric)."""
    num_th = '<th class="num">'
    head = "".join(f"{num_th if num else '<th>'}{esc(h)}</th>" for h, num in headers)
    body = []
    for i, row in enumerate(rows):
        depth = depths[i] if depths else None
        attrs = ""
        if keys:
            attrs += f' data-path="{esc(keys[i])}"'
        if depth is not None:
            attrs += f' data-depth="{depth}"' + (' class="root"' if depth == 0 else "")
        cells = [c.render(j == 0, depth or 0 if j == 0 else 0) for j, c in enumerate(row)]
        body.append(f"<tr{attrs}>" + "".join(cells) + "</tr>")
    klass = f' class="{cls}"' if cls else ""
    if metric:
        klass += f' data-metric="{esc(metric)}"'
    return (
        f'<div class="scroll"><table{klass}><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def legend(items: Sequence[tuple[str, str]]) -> str:
    """A chart's legend: each line's key (a CSS class: target, actual, cut) and text."""
    keys = "".join(
        f'<span class="item"><span class="key {esc(k)}"></span>{esc(t)}</span>' for k, t in items
    )
    return f'<p class="legend">{keys}</p>'


def status_pill(status: str | None) -> str:
    if not status:
        return "—"
    return f'<span class="status {esc(status)}">{esc(status)}</span>'


def bar(width_percent: str, status: str | None, over: bool) -> str:
    colour = status or ""
    klass = "bar over" if over else "bar"
    inner = f'<span class="{colour}" style="width:{width_percent}%"></span>'
    return f'<span class="{klass}">{inner}</span>'


def text_bar(text: str) -> str:
    """A terminal bar (``███████░░░+``) drawn as a bar, as long as it is."""
    filled, width = text.count("█"), text.count("█") + text.count("░")
    if not width:
        return ""
    return bar(str(100 * filled // width), "plain", "+" in text)


def grid_table(g: Grid) -> str:
    """A report grid as a table (its status column coloured)."""
    headers = [(c.called, c.numeric) for c in g.columns]
    rows = []
    for r in g.rows:
        cells = []
        for c, value in zip(g.columns, r, strict=True):
            markup = None
            if c.header == "status" and value in STATUSES:
                markup = status_pill(value)
            elif c.called == "bar" and value.strip(" █░+") == "":  # report.progress.bar's
                markup = text_bar(value)
            cells.append(Cell(value, numeric=c.numeric, markup=markup))
        rows.append(cells)
    notes = "".join(f'<p class="note">{esc(note)}</p>' for note in g.notes)
    return table(g.title, headers, rows, g.indents) + notes


def grids_page(
    title: str, grids: Sequence[Grid], about: Sequence[tuple[str, str]], footer: str
) -> str:
    """Any command's tables as a page."""
    parts = [f"<h1>{esc(title)}</h1>", facts(about), *map(grid_table, grids)]
    return page(title, parts, footer)
