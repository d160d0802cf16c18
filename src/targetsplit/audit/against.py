"""Compare a hand-made target sheet with the plan's allocation, and guess why
the sheet's figures differ (the spreadsheet mistakes the guides make)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targetsplit.numbers import amounts
from targetsplit.numbers.apportion import largest_remainder
from targetsplit.plan.names import node_label
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
    hint: str = ""  # for a node not in the plan: "; did you mean …?"


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


#: Families larger than this name the changed weight but not every sibling's.
_SHOWN_SIBLINGS = 6


def _suspects(values: Sequence[Fraction], sheet_units: Sequence[Fraction]) -> list[int]:
    """The siblings whose weight may have changed: a single changed weight moves
    its node's figure against its weight the most, up or down, while the others
    keep one figure per unit of weight (a few at most, so a family costs O(n))."""
    zero = [j for j, (v, s) in enumerate(zip(values, sheet_units, strict=True)) if v == 0 and s]
    per_weight = [(s / v, j) for j, (v, s) in enumerate(zip(values, sheet_units, strict=True)) if v]
    ends = [min(per_weight)[1], max(per_weight)[1]] if per_weight else []
    return sorted(dict.fromkeys([*zero[:1], *ends]))


def _ratio_cause(
    parent_units: int, kids: Sequence[Node], m: Metric, sheet_units: Sequence[Fraction]
) -> str | None:
    """Which single changed weight makes the plan's split give the sheet's figures."""
    if m.derived is not None:  # no weights: its figures follow from its source
        return None
    weights = [c.weights[m.name] for c in kids]
    if len(kids) < 2 or not all(w.kind in ("ratio", "history", "percent") for w in weights):
        return None
    if len({w.kind == "percent" for w in weights}) != 1:
        return None
    values = [w.value for w in weights]
    suspects = _suspects(values, sheet_units)
    # Try the plainest weights first: one decimal, then two.
    for places in (1, 2):
        for k in suspects:
            ref = max((j for j in range(len(kids)) if j != k), key=lambda j: sheet_units[j])
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
                kind = "share" if weights[k].kind == "percent" else "ratio"
                if len(kids) > _SHOWN_SIBLINGS:
                    was, now = _fmt_all([values[k], w]).split(" : ")
                    return (
                        f"the sheet's figures are the plan's split with {kids[k].name}'s"
                        f" {kind} {now} instead of {was}"
                    )
                shown, plan = _fmt_all(trial), _fmt_all(values)
                return (
                    f"the sheet's figures are the {shown} split, not the plan's {plan}"
                    f" ({kids[k].name}'s {kind} {shown.split(' : ')[k]} instead of"
                    f" {plan.split(' : ')[k]})"
                )
    return None


def compare(alloc: Allocation, entries: Sequence[Entry]) -> list[Difference]:
    """Every figure of the sheet more than a unit off the plan's, with its likely cause;
    the sheet's parents whose children do not add up to them; the figures missing."""
    plan = alloc.plan
    rows = {r.path: r for r in alloc.rows}
    metrics = {m.name: m for m in plan.metrics}
    sheet: dict[tuple[str, str], Entry] = {}
    out: list[Difference] = []
    for e in entries:
        if e.path is None:
            unknown = f"not in the plan{e.hint}"
            out.append(Difference(e.name, e.metric, e.value, None, unknown, e.line))
        else:
            sheet[(e.path, e.metric)] = e
    tiers: dict[str, Allocation] = {}  # each other tier's allocation, made when first needed
    causes: dict[tuple[str, str], str] = {}
    unbalanced: list[tuple[Entry, str]] = []  # parents within a unit whose children are not
    for node in plan.nodes():
        kids = node.children
        if not kids:
            continue
        for name, m in metrics.items():
            have = [sheet.get((c.key, name)) for c in kids]
            if any(h is None for h in have):
                continue
            values = [h.value for h in have if h is not None]
            total = amounts.EXACT.add(Decimal(0), sum(values, Decimal(0)))
            off = [
                c for c, v in zip(kids, values, strict=True)
                if abs(v - rows[c.key].targets[name]) > m.unit
            ]  # fmt: skip
            parent_entry = sheet.get((node.key, name))
            text = ""
            if parent_entry is not None and total != parent_entry.value:
                where = node_label(node.key, plan.title)
                text = (
                    f"the sheet's figures under '{where}' add up to {m.format(total)},"
                    f" not its '{where}' figure {m.format(parent_entry.value)}"
                )
                if not off:
                    unbalanced.append((parent_entry, text))
            if not off:
                continue
            if not text:
                base = (
                    parent_entry.value if parent_entry is not None else rows[node.key].targets[name]
                )
                units = [Fraction(v) / Fraction(m.unit) for v in values]
                text = _ratio_cause(int(Fraction(base) / Fraction(m.unit)), kids, m, units) or ""
            for c in off:
                if text:
                    causes[(c.key, name)] = text
    reported: set[tuple[str, str]] = set()
    for (path, name), e in sheet.items():
        m = metrics[name]
        computed = rows[path].targets[name]
        if abs(e.value - computed) <= m.unit:
            continue
        reported.add((path, name))
        cause = causes.get((path, name))
        if cause is None:
            for tier, share in plan.tiers.items():
                if share == 1:
                    continue
                if tier not in tiers:
                    tiers[tier] = allocate(plan, tier)
                if abs(e.value - tiers[tier].row(path).targets[name]) <= m.unit:
                    cause = (
                        f"the sheet's figure is the {tier} tier"
                        f" ({amounts.format_percent(plan.tiers[tier])})"
                    )
                    break
        node = rows[path].node
        if cause is None and node.path:
            parent = "/".join(node.path[:-1])
            pe = sheet.get((parent, name))
            if (
                m.derived is None
                and pe is not None
                and abs(pe.value - rows[parent].targets[name]) > m.unit
            ):
                follows = Fraction(pe.value) * node.shares[name]
                if abs(Fraction(e.value) - follows) <= Fraction(m.unit):
                    cause = (
                        f"it follows from '{node_label(parent, plan.title)}' in the sheet"
                        f" ({m.format(pe.value)}, where the plan has"
                        f" {m.format(rows[parent].targets[name])})"
                    )
        out.append(Difference(path, name, e.value, computed, cause, e.line))
    # A parent whose children in the sheet do not add up to it is a mistake even
    # when every figure is within a unit of the plan's.
    for e, text in unbalanced:
        assert e.path is not None
        if (e.path, e.metric) not in reported:
            computed = rows[e.path].targets[e.metric]
            out.append(Difference(e.path, e.metric, e.value, computed, text, e.line))
    seen_metrics = {e.metric for e in entries}
    out.extend(
        Difference(r.path, name, None, r.targets[name], "missing in the sheet")
        for r in alloc.rows[1:]
        for name in sorted(seen_metrics)
        if (r.path, name) not in sheet
    )
    return out
