"""Compare a hand-made target sheet with the plan's allocation, and guess why
the sheet's figures differ (the spreadsheet mistakes the guides make)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.numbers import amounts
from targetsplit.numbers.apportion import largest_remainder
from targetsplit.plan.tree import Metric, Node
from targetsplit.split.hierarchy import Allocation, allocate


@dataclass(frozen=True)
class Entry:
    """One figure of the sheet: the node it names (None when not in the plan)."""

    line: int
    name: str
    path: str | None
    metric: str
    value: Decimal


@dataclass(frozen=True)
class Difference:
    name: str  # the node's path, or the sheet's name for a node not in the plan
    metric: str
    sheet: Decimal | None
    computed: Decimal | None
    cause: str | None
    line: int | None = None

    @property
    def difference(self) -> Decimal | None:
        if self.sheet is None or self.computed is None:
            return None
        return amounts.EXACT.subtract(self.sheet, self.computed)


def _fmt(f: Fraction) -> str:
    return amounts.decimal_text(amounts.round_fraction(f, 2))


def _fmt_all(values: Sequence[Fraction]) -> str:
    """Ratios as written side by side, with the same decimals: 1.2 : 1.0."""
    texts = [_fmt(v) for v in values]
    places = max((len(t.partition(".")[2]) for t in texts), default=0)
    step = Decimal(1).scaleb(-places)
    return " : ".join(format(Decimal(t).quantize(step), "f") for t in texts)


def _ratio_cause(
    parent_units: int, kids: Sequence[Node], m: Metric, sheet_units: Sequence[Fraction]
) -> str | None:
    """Which single changed weight makes the plan's split give the sheet's figures."""
    weights = [c.weights[m.name] for c in kids]
    if not all(w.kind in ("ratio", "history", "percent") for w in weights):
        return None
    if len({w.kind == "percent" for w in weights}) != 1:
        return None
    values = [w.value for w in weights]
    # Try the plainest weights first: one decimal, then two.
    for places in (1, 2):
        for k in range(len(kids)):
            others = [j for j in range(len(kids)) if j != k]
            if not others:
                return None
            ref = max(others, key=lambda j: sheet_units[j])
            if sheet_units[ref] == 0:
                continue
            guess = values[ref] * sheet_units[k] / sheet_units[ref]
            w = Fraction(round(guess * 10**places), 10**places)
            if w <= 0 or w == values[k]:
                continue
            trial = list(values)
            trial[k] = w
            parts = largest_remainder(parent_units, trial)
            if all(abs(p - s) <= 1 for p, s in zip(parts, sheet_units, strict=True)):
                shown, plan = _fmt_all(trial), _fmt_all(values)
                kind = "share" if weights[k].kind == "percent" else "ratio"
                return (
                    f"the sheet's figures are the {shown} split, not the plan's {plan}"
                    f" ({kids[k].name}'s {kind} {shown.split(' : ')[k]} instead of"
                    f" {plan.split(' : ')[k]})"
                )
    return None


def compare(alloc: Allocation, entries: Sequence[Entry]) -> list[Difference]:
    plan = alloc.plan
    rows = {r.path: r for r in alloc.rows}
    metrics = {m.name: m for m in plan.metrics}
    sheet: dict[tuple[str, str], Entry] = {}
    out: list[Difference] = []
    for e in entries:
        if e.path is None:
            out.append(Difference(e.name, e.metric, e.value, None, "not in the plan", e.line))
        else:
            sheet[(e.path, e.metric)] = e
    tiers = {name: allocate(plan, name) for name in plan.tiers if plan.tiers[name] != 1}
    causes: dict[tuple[str, str], str] = {}
    for node in plan.nodes():
        for name, m in metrics.items():
            kids = node.children
            have = [sheet.get((c.key, name)) for c in kids]
            if not kids or any(h is None for h in have):
                continue
            values = [h.value for h in have if h is not None]
            off = [
                c for c, v in zip(kids, values, strict=True)
                if abs(v - rows[c.key].targets[name]) > m.unit
            ]  # fmt: skip
            if not off:
                continue
            parent_entry = sheet.get((node.key, name))
            if parent_entry is not None and sum(values) != parent_entry.value:
                text = (
                    f"the sheet's figures under '{node.key or node.name}' add up to"
                    f" {m.format(amounts.EXACT.add(Decimal(0), sum(values, Decimal(0))))},"
                    f" not its '{node.key or node.name}' figure {m.format(parent_entry.value)}"
                )
            else:
                base = (
                    parent_entry.value if parent_entry is not None else rows[node.key].targets[name]
                )
                units = [Fraction(v) / Fraction(m.unit) for v in values]
                text = _ratio_cause(int(Fraction(base) / Fraction(m.unit)), kids, m, units) or ""
            for c in off:
                if text:
                    causes[(c.key, name)] = text
    for (path, name), e in sheet.items():
        m = metrics[name]
        computed = rows[path].targets[name]
        if abs(e.value - computed) <= m.unit:
            continue
        cause = causes.get((path, name))
        if cause is None:
            for tier, t_alloc in tiers.items():
                if abs(e.value - t_alloc.row(path).targets[name]) <= m.unit:
                    cause = (
                        f"the sheet's figure is the {tier} tier"
                        f" ({amounts.format_percent(plan.tiers[tier])})"
                    )
                    break
        if cause is None and path:
            parent = "/".join(path.split("/")[:-1])
            pe = sheet.get((parent, name))
            node = rows[path].node
            if pe is not None and abs(pe.value - rows[parent].targets[name]) > m.unit:
                follows = Fraction(pe.value) * node.shares[name]
                if abs(Fraction(e.value) - follows) <= Fraction(m.unit):
                    cause = (
                        f"it follows from '{parent or plan.title}' in the sheet"
                        f" ({m.format(pe.value)}, where the plan has"
                        f" {m.format(rows[parent].targets[name])})"
                    )
        out.append(Difference(path, name, e.value, computed, cause, e.line))
    seen_metrics = {e.metric for e in entries}
    out.extend(
        Difference(r.path, name, None, r.targets[name], "missing in the sheet")
        for r in alloc.rows[1:]
        for name in sorted(seen_metrics)
        if (r.path, name) not in sheet
    )
    return out
