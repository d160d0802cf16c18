"""Random rows written as our own CSV and as a CRM-style export mapped by the plan
(renamed and reordered columns, nodes by path, name, owner or alias, thousands
separators, currency signs, accounting negatives, 万, other date forms with times,
extra rows left out by ``where``): the same progress JSON (issue 15)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targetsplit.api.progress import progress
from targetsplit.report import progress as view
from targetsplit.report.formats import Format, as_text

PLAN = """\
plan: P
period: 2026
metrics:
  revenue: {total: 1000000, round: 0.01}
  deals: {total: 100}
split:
  North:
    weight: 50%
    owner: Boss N
    split:
      Ann: {weight: 1, owner: Ann Lee, aliases: [李安, ann@example.com]}
      Bob: {weight: 1, aliases: [Robert]}
  South: {weight: 50%, owner: Boss S, aliases: [南区]}
"""
MAPPING = """\
actuals:
  file: export.csv
  date: Close Date
  node: Deal Owner
  values: {revenue: Amount (CNY), deals: count}
  where: {Stage: [Closed Won, Won]}
"""
# Each node, and the ways an export may name it.
SPELLINGS = {
    "North": ["North", "Boss N", "boss n"],
    "North/Ann": ["North/Ann", "Ann", "Ann Lee", "李安", "ANN@example.com"],
    "North/Bob": ["North/Bob", "Bob", "Robert"],
    "South": ["South", "Boss S", "南区"],
}


@dataclass(frozen=True)
class Row:
    day: date
    node: str
    cents: int  # the revenue in cents (refunds negative)


rows_strategy = st.lists(
    st.builds(
        Row,
        st.dates(date(2025, 12, 20), date(2027, 1, 10)),
        st.sampled_from(sorted(SPELLINGS)),
        st.integers(-5_000_000, 200_000_000),
    ),
    max_size=25,
)


def amount_text(cents: int, form: int) -> str:
    """The revenue as an export may write it (a CSV field, quoted where it needs)."""
    value = Decimal(cents) / 100
    plain = f"{value:f}"
    if form == 0:
        return plain
    grouped = f"{abs(value):,.2f}"
    if form == 1:
        return f'"{"-" if cents < 0 else ""}{grouped}"'
    if form == 2:
        return f'"({grouped})"' if cents < 0 else f'"¥{grouped}"'
    if cents % 100 == 0 and cents // 100 % 100 == 0:  # whole hundreds of yuan: 万
        return f"{value / 10000:f}万元"
    return f"{'-' if cents < 0 else ''}¥{abs(value):f}"


def date_text(day: date, form: int, minutes: int) -> str:
    time = f" {minutes // 60 % 24}:{minutes % 60:02d}" if minutes % 3 else ""
    if form == 0:
        return day.isoformat() + time
    if form == 1:
        return f"{day.year}/{day.month}/{day.day}{time}"
    if form == 2:
        return f"{day.year}.{day.month}.{day.day}{time}"
    return f"{day.year}年{day.month}月{day.day}日{time}"


def figures(plan: Path, actuals: Path) -> tuple[str, str, list[str]]:
    """Progress through 9 August and the review of Q2, as JSON, and their warnings
    (without the file's name)."""
    from targetsplit.api.review import review
    from targetsplit.report import review as review_view

    result = progress(str(plan), as_of="2026-08-09", actuals=str(actuals))
    window = review(str(plan), period="2026-Q2", actuals=str(actuals), today=date(2027, 1, 1))
    return (
        as_text(Format.json, view.render(result, Format.json, None, False)),
        as_text(Format.json, review_view.render(window, Format.json, None, False)),
        [d.message for d in (*result.warnings, *window.warnings)],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=rows_strategy,
    forms=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 9999))),
    spelling=st.integers(0, 20),
    lost=st.lists(
        st.tuples(
            st.sampled_from(["Closed Lost", "Open", "won"]),
            # Anything a cell may hold (a NUL byte is no text file's: an error in any CSV).
            st.text(
                st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8
            ),
        )
    ),
)
def test_our_csv_and_a_mapped_export_give_the_same_progress(
    rows: list[Row], forms: list[tuple[int, int, int]], spelling: int, lost: list[tuple[str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        own = ["date,node,revenue,deals"]
        export = ["Deal ID,Stage,Amount (CNY),Deal Owner,Close Date,Notes"]
        for i, row in enumerate(rows):
            a, d, minutes = forms[i] if i < len(forms) else (0, 0, 0)
            names = SPELLINGS[row.node]
            name = names[(spelling + i) % len(names)]
            own.append(f"{row.day.isoformat()},{row.node},{Decimal(row.cents) / 100:f},1")
            stage = "Won" if i % 2 else "Closed Won"
            export.append(
                f"D{i},{stage},{amount_text(row.cents, a)},{name},"
                f"{date_text(row.day, d, minutes)},note {i}"
            )
            if i < len(lost):  # a row left out by where: anything in its cells
                stage, junk = lost[i]
                cell = '"' + junk.replace('"', '""') + '"'
                export.append(f"X{i},{stage},{cell},{cell},{cell},")
        (folder / "own.csv").write_text("\n".join(own) + "\n", encoding="utf-8")
        (folder / "export.csv").write_text("\n".join(export) + "\n", encoding="utf-8")
        (folder / "own.yaml").write_text(PLAN, encoding="utf-8")
        (folder / "mapped.yaml").write_text(PLAN + MAPPING, encoding="utf-8")
        ours = figures(folder / "own.yaml", folder / "own.csv")
        mapped = figures(folder / "mapped.yaml", folder / "export.csv")
        assert mapped == ours


def test_the_property_sees_every_form() -> None:
    """The forms the property draws, each read back to its value."""
    from targetsplit.track.exported import export_date, export_value

    for cents in (123456789, -123456789, 1000000, -50):
        for form in range(4):
            text = amount_text(cents, form).strip('"')
            assert export_value(text) == Decimal(cents) / 100, text
    day = date(2026, 8, 3)
    for form in range(4):
        for minutes in (0, 1, 61):
            assert export_date(date_text(day, form, minutes)) == day


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))
_SHAPES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    ["file", "date", "node", "values", "where", "encoding", "date_format", "nodes", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _SHAPES, max_size=7), st.booleans())
def test_any_mapping_is_read_or_refused_in_words(
    given_map: dict[str, object], metrics: bool
) -> None:
    """Whatever YAML gives ``actuals:`` (or --actuals-map builds), the mapping is
    read or refused with a ValueError naming what is wrong; never another error."""
    from targetsplit.plan.actualsmap import ActualsMap, parse_map

    try:
        found = parse_map(given_map, ("revenue", "deals") if metrics else None)
    except ValueError as e:
        assert str(e)
    else:
        assert isinstance(found, ActualsMap)
