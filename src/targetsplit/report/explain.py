"""What `targetsplit explain` shows: numbered steps per metric, or their data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from targetsplit.numbers.amounts import decimal_text
from targetsplit.report.formats import Format
from targetsplit.report.grid import csv_text
from targetsplit.report.textsafe import markdown_cell, visible

if TYPE_CHECKING:
    from targetsplit.api.explain import ExplainResult


def render(result: ExplainResult, fmt: Format) -> str:
    if fmt is Format.json:
        from targetsplit.report.jsonout import dumps

        steps = [{"metric": s.metric, "text": s.text, "value": s.value} for s in result.steps]
        return dumps({"node": result.node, "tier": result.tier, "steps": steps})
    if fmt is Format.csv:
        rows: list[list[str | None]] = [
            [s.metric, s.text, None if s.value is None else decimal_text(s.value)]
            for s in result.steps
        ]
        return csv_text(["metric", "step", "value"], rows, {2})
    return _text(result, markdown=fmt is Format.markdown)


def _text(result: ExplainResult, *, markdown: bool) -> str:
    lines: list[str] = []
    current = None
    n = 0
    for st in result.steps:
        if st.metric != current:
            current, n = st.metric, 0
            head = f"{result.title} — {st.metric}"
            lines += ["", f"### {markdown_cell(head)}", ""] if markdown else ["", visible(head)]
        n += 1
        text = markdown_cell(st.text) if markdown else visible(st.text)
        lines.append(f"{n}. {text}" if markdown else f"  {n}. {text}")
    return "\n".join(lines[1:]) + "\n"
