"""Weights and exact shares, one sibling group at a time.

A group's claims (percents and amounts) come first; what they leave goes to
the one ``rest`` sibling or is shared by ratio, and must otherwise be nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from targetsplit.errors import Loc
from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.build.metrics import find_metric
from targetsplit.plan.tree import Metric, did_you_mean
from targetsplit.plan.weights import Weight, WeightSpec

Weights = dict[str, Weight]  # one weight per metric


def resolve_weights(
    diags: Collector,
    metrics: Sequence[Metric],
    spec: WeightSpec | None,
    loc: Loc,
    what: str,
    *,
    derived: Sequence[Metric] = (),
) -> Weights | None:
    """Each metric's weight from a weight as written (``metrics``: those with a total);
    None on error. A derived metric takes no weight: its figures follow from its source."""
    if spec is None:
        diags.error(
            f"{what} has no weight: give a percent (60%), a ratio (1.2),"
            " {amount: 300万}, {history: 120} or rest",
            loc,
        )
        return None
    names = tuple(m.name for m in metrics)
    ok = True
    for name in spec.by_metric:
        source = next((d.derived.source for d in derived if d.name == name and d.derived), None)
        if source is not None:
            diags.error(
                f"{what}: '{name}' is derived from '{source}', so it takes no weight: its"
                f" figures are {source}'s divided by its driver (set per node with drivers:)",
                (*loc, "weight", name),
            )
            ok = False
        elif name not in names:
            diags.error(
                f"{what}: weight for unknown metric '{name}'{did_you_mean(name, names)}"
                f" (metrics: {', '.join(names)})",
                (*loc, "weight", name),
            )
            ok = False
    out: Weights = {}
    for m in metrics:
        w = spec.by_metric.get(m.name, spec.default)
        if w is None:
            diags.error(
                f"{what} has no weight for '{m.name}': add default: or {m.name}: to its weight",
                (*loc, "weight"),
            )
            ok = False
            continue
        if w.kind == "amount":
            counted = metrics[0] if w.metric is None else find_metric(metrics, w.metric)
            if counted is not None and (w.value / Fraction(counted.unit)).denominator != 1:
                diags.error(
                    f"{what}: the amount {w.text} is not a multiple of {counted.name}'s"
                    f" rounding unit {counted.format(counted.unit)}",
                    (*loc, "weight"),
                    dedupe="amount-unit",
                )
                ok = False
        out[m.name] = w
    return out if ok else None


def sibling_shares(
    diags: Collector,
    metrics: Sequence[Metric],
    parent_units: Mapping[str, int],
    children: Sequence[tuple[str, Weights]],
    loc: Loc,
    where: str,
) -> list[dict[str, Fraction]] | None:
    """Each child's exact share of the parent, per metric; None on error."""
    by_metric = shares_by_metric(diags, metrics, parent_units, children, loc, where)
    if by_metric is None:
        return None
    result: list[dict[str, Fraction]] = [{} for _ in children]
    for name, per_metric in by_metric.items():
        for i, share in enumerate(per_metric):
            result[i][name] = share
    return result


def shares_by_metric(
    diags: Collector,
    metrics: Sequence[Metric],
    parent_units: Mapping[str, int],
    children: Sequence[tuple[str, Weights]],
    loc: Loc,
    where: str,
) -> dict[str, list[Fraction]] | None:
    """:func:`sibling_shares` as one list per metric, in the children's order;
    None on error. Metrics whose weights are the very same percents, ratios or
    rests (no amounts: those count in one metric) get the same list, worked
    out once, where working it out said nothing."""
    result: dict[str, list[Fraction]] = {}
    ok = True
    last: tuple[list[Weight], list[Fraction]] | None = None
    for m in metrics:
        weights = [w[m.name] for _, w in children]
        if last is not None and all(a is b for a, b in zip(weights, last[0], strict=True)):
            result[m.name] = last[1]
            continue
        said = len(diags.errors) + len(diags.warnings)
        group = _Group(diags, metrics, m, parent_units, loc, where)
        per_metric = group.shares(weights)
        if per_metric is None:
            ok = False
            continue
        result[m.name] = per_metric
        silent = len(diags.errors) + len(diags.warnings) == said
        reusable = silent and all(w.kind != "amount" for w in weights)
        last = (weights, per_metric) if reusable else None
    return result if ok else None


def provisional_units(
    metrics: Sequence[Metric], parent_units: Mapping[str, int], weights: Mapping[str, Weight]
) -> dict[str, int] | None:
    """A child's figures when its own claim fixes them, whatever its siblings; else None."""
    out: dict[str, int] = {}
    for m in metrics:
        w = weights[m.name]
        if w.kind == "percent":
            share = w.value
        elif w.kind == "amount" and (w.metric or metrics[0].name) == m.name:
            if parent_units[m.name] == 0:
                return None
            share = w.value / Fraction(m.amount(parent_units[m.name]))
        else:
            return None
        quota = share * parent_units[m.name]
        out[m.name] = quota.numerator // quota.denominator
    return out


class _Group(NamedTuple):
    """One metric of one sibling group, with what its messages say."""

    diags: Collector
    metrics: Sequence[Metric]
    metric: Metric
    parent_units: Mapping[str, int]
    loc: Loc
    where: str  # "under 'East'", "at the top level", "in dimension 'product'"

    @property
    def parent(self) -> Fraction:
        """The parent's amount of this metric."""
        return Fraction(self.metric.amount(self.parent_units[self.metric.name]))

    @property
    def label(self) -> str:
        """The metric's name and a space, when the plan has more than one metric."""
        return f"{self.metric.name} " if len(self.metrics) > 1 else ""

    def shares(self, weights: Sequence[Weight]) -> list[Fraction] | None:
        kinds = [w.kind for w in weights]
        rests = [i for i, k in enumerate(kinds) if k == "rest"]
        ratios = [i for i, k in enumerate(kinds) if k == "ratio" or k == "history"]
        if not self._one_way_to_share_what_is_left(rests, ratios):
            return None
        shares = self._claims(weights)
        if shares is None:
            return None
        # What the percents and amounts claim (the others' shares are zero so far).
        claimed = _sum([shares[i] for i, k in enumerate(kinds) if k == "percent" or k == "amount"])
        if claimed > 1:
            self._over(claimed)
            return None
        left = 1 - claimed
        if rests:
            shares[rests[0]] = left
        elif ratios:
            if not self._share_by_ratio(weights, ratios, left, shares):
                return None
        elif claimed != 1 and not (any(w.kind == "amount" for w in weights) and self.parent == 0):
            self._short(claimed)
            return None
        return shares

    def _one_way_to_share_what_is_left(self, rests: list[int], ratios: list[int]) -> bool:
        if len(rests) > 1:
            self.diags.error(
                f"more than one 'rest' {self.where}; only one sibling can take the rest",
                self.loc,
                "rests",
            )
            return False
        if rests and ratios:
            self.diags.error(
                f"'rest' and ratio weights {self.where} cannot be mixed: use ratios for all of the"
                " siblings that share what the claims leave",
                self.loc,
                "rest-ratio",
            )
            return False
        return True

    def _claims(self, weights: Sequence[Weight]) -> list[Fraction] | None:
        """The share each percent and amount claims (zero for the others); None on error."""
        shares: list[Fraction] = [Fraction(0)] * len(weights)
        for i, w in enumerate(weights):
            if w.kind == "percent":
                shares[i] = w.value
            elif w.kind == "amount":
                share = self._amount_share(w)
                if share is None:
                    return None
                shares[i] = share
        return shares

    def _amount_share(self, w: Weight) -> Fraction | None:
        counted = w.metric or self.metrics[0].name
        counted_metric = find_metric(self.metrics, counted)
        assert counted_metric is not None  # unknown metrics were rejected in resolve_weights()
        base = Fraction(counted_metric.amount(self.parent_units[counted]))
        if base != 0:
            return w.value / base
        if w.value == 0:
            return Fraction(0)
        if counted == self.metric.name:
            self.diags.error(
                f"{self.label}claims {self.where} exceed the parent: {w.text} of 0",
                self.loc,
                "over",
            )
        else:
            self.diags.error(
                f"the amount {w.text} {self.where} gives no share of '{self.metric.name}':"
                f" the parent's '{counted}' is zero",
                self.loc,
                f"zero-base-{self.metric.name}",
            )
        return None

    def _share_by_ratio(
        self, weights: Sequence[Weight], ratios: list[int], left: Fraction, shares: list[Fraction]
    ) -> bool:
        """Share what the claims leave by ratio, into ``shares``; False on error."""
        # Over one common denominator: the ratios as integers, summed once.
        pairs = [weights[i].value.as_integer_ratio() for i in ratios]
        common = math.lcm(*(d for _, d in pairs))
        ints = [n * (common // d) for n, d in pairs]
        total_ratio = sum(ints)
        if total_ratio == 0:
            if left > 0:
                self.diags.error(
                    f"{self.label}ratio weights {self.where} are all zero but"
                    f" {amounts.format_percent(left)}"
                    + (f" ({self._text(left * self.parent)})" if self.parent else "")
                    + " is left to share",
                    self.loc,
                    "zero-ratios",
                )
                return False
            return True
        if left == 0:
            self.diags.warn(
                f"the claims {self.where} take all of it: its ratio siblings get nothing",
                self.loc,
            )
        ln, ld = left.numerator, left.denominator
        for i, n in zip(ratios, ints, strict=True):  # left x ratio / total ratio
            shares[i] = Fraction(ln * n, ld * total_ratio)
        return True

    def _over(self, claimed: Fraction) -> None:
        over = claimed * self.parent - self.parent
        # (Amounts say nothing where the parent has none: the percents say it.)
        how = (
            f" ({self._text(claimed * self.parent)}), {self._text(over)} over"
            f" {self._text(self.parent)}"
            if self.parent
            else f", {amounts.format_percent(claimed - 1)} over 100%"
        )
        self.diags.error(
            f"{self.label}claims {self.where} add up to {amounts.format_percent(claimed)}{how}",
            self.loc,
            "over",
        )

    def _short(self, claimed: Fraction) -> None:
        short = self.parent - claimed * self.parent
        how = (
            f" ({self._text(claimed * self.parent)}), {self._text(short)} short of"
            f" {self._text(self.parent)}"
            if self.parent
            else f", {amounts.format_percent(1 - claimed)} short of 100%"
        )
        self.diags.error(
            f"{self.label}shares {self.where} add up to {amounts.format_percent(claimed)}{how}",
            self.loc,
            "short",
        )

    def _text(self, f: Fraction) -> str:
        return _fraction_text(f, self.metric)


def _sum(values: Sequence[Fraction]) -> Fraction:
    """The exact sum, over one common denominator (fast for many siblings)."""
    pairs = [v.as_integer_ratio() for v in values]
    common = math.lcm(*(d for _, d in pairs)) if pairs else 1
    return Fraction(sum(n * (common // d) for n, d in pairs), common)


def _fraction_text(f: Fraction, metric: Metric) -> str:
    if (f / Fraction(metric.unit)).denominator == 1 or _terminates(f):
        try:
            return metric.format(amounts.to_decimal(f))
        except ArithmeticError:  # pragma: no cover - guarded by _terminates
            pass
    return "≈" + metric.format(amounts.round_fraction(f, 4))


def _terminates(f: Fraction) -> bool:
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1
