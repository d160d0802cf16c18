"""A node's ``mix:``: the split by a dimension's items it would like (``allocate --cross``).

``mix: {product: {High-end: 40%, Mid-range: 40%, New: 20%}}`` is checked
against the plan's dimensions here; whether the mixes of a sibling group can
meet their parent's cells is a matter of the figures (:mod:`split.cross`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from targetsplit.errors import Loc
from targetsplit.numbers import amounts
from targetsplit.plan.build.collect import Collector
from targetsplit.plan.tree import did_you_mean

Mix = dict[str, tuple[Fraction, ...]]  # dimension -> a share per item, in the items' order


def build_mix(
    diags: Collector,
    what: str,
    docs: Mapping[str, Mapping[str, amounts.Parsed]],
    loc: Loc,
    items: Mapping[str, Sequence[str]],
) -> Mix:
    """Each dimension's shares (adding up to one; an item not named gets none);
    a mix that is wrong is left out."""
    out: Mix = {}
    for dim, shares in docs.items():
        where = (*loc, dim)
        if dim not in items:
            dims = list(items)
            if dims:
                diags.error(
                    f"{what}: mix by unknown dimension '{dim}'{did_you_mean(dim, dims)}"
                    f" (dimensions: {', '.join(dims)})",
                    where,
                )
            else:
                diags.error(
                    f"{what}: mix by '{dim}', but the plan has no dimensions"
                    f" (add dimensions: {{{dim}: {{…}}}})",
                    where,
                )
            continue
        if not shares:
            diags.error(f"{what}: the mix by {dim} names no items", where)
            continue
        known = items[dim]
        ok = True
        for item in shares:
            if item not in known:
                diags.error(
                    f"{what}: '{item}' is not an item of dimension '{dim}'"
                    f"{did_you_mean(item, known)} (items: {', '.join(known)})",
                    (*where, item),
                )
                ok = False
        kinds = {p.kind for p in shares.values()}
        values = {item: Fraction(p.value) for item, p in shares.items()}
        total = sum(values.values(), Fraction(0))
        if len(kinds) > 1:
            diags.error(
                f"{what}: the mix by {dim} mixes percents and ratios: give all as percents"
                " or all as ratios",
                where,
            )
            ok = False
        elif kinds == {"percent"} and total != 1:
            diags.error(
                f"{what}: the mix by {dim} adds up to {amounts.format_percent(total)}, not 100%",
                where,
            )
            ok = False
        elif total == 0:
            diags.error(f"{what}: the mix by {dim} is all zero", where)
            ok = False
        if ok:
            out[dim] = tuple(values.get(item, Fraction(0)) / total for item in known)
    return out
