"""Hostile plans (issue 10): exactness at the edges of the limits, names that
cannot be addressed, edge dates, and messages that come all at once."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from targetsplit.numbers import amounts

TINY_UNIT = """\
plan: T
period: 2026
metrics:
  revenue: {total: 1.2亿, round: 1e-30}
split:
  North: 30%
  East: {weight: rest, split: {A: 1, B: 2}}
"""


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["allocate"],
        ["allocate", "--by", "week", "--format", "csv"],
        ["explain", "--period", "2026-Q1", "-", "East/A"],
    ],
)
def test_a_tiny_rounding_unit_is_exact_everywhere(run, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TINY_UNIT)
    argv = [*args[:-2], plan, args[-1]] if args[0] == "explain" else [*args, plan]
    argv = [a for a in argv if a != "-"]
    result = run(*argv)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err


def test_tiny_unit_figures_add_up_exactly(tmp_path: Path) -> None:
    from targetsplit import allocate

    result = allocate(write(tmp_path, TINY_UNIT), by="month")
    alloc = result.allocation
    a, b = alloc.row("East/A").targets["revenue"], alloc.row("East/B").targets["revenue"]
    assert a + b == Decimal(84_000_000)
    assert a == Decimal(28_000_000)
    assert result.split is not None
    months = result.split.values("East/A", "revenue")
    assert sum(map(Fraction, months)) == a  # (a Decimal sum here would round: prec 28)


def test_the_api_is_exact_whatever_the_callers_context(tmp_path: Path) -> None:
    from targetsplit import allocate

    plan = write(tmp_path, TINY_UNIT)
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.traps[decimal.Inexact] = False
        result = allocate(plan)
        assert decimal.getcontext().prec == 5  # the caller's context is left alone
    east = result.allocation.row("East").targets["revenue"]
    assert east == Decimal(84_000_000)


def test_display_rounding_never_depends_on_a_context() -> None:
    huge = Fraction(10**47) + Fraction(1, 3)
    assert amounts.round_fraction(huge, 2) == Decimal("1" + "0" * 47 + ".33")
    assert amounts.format_percent(Fraction(10**16)) == "1000000000000000000%"
    assert amounts.round_fraction(Fraction(5, 2), 0) == 2  # half to even
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        assert amounts.format_percent(Fraction(123456, 1000)) == "12345.6%"


def test_negation_keeps_every_digit() -> None:
    text = "-1.23456789012345678901234567890"
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        assert str(amounts.parse(text, allow_negative=True).value) == text


TIER_OVER = """\
plan: T
period: 2026
metrics:
  revenue: {total: 1.2亿}
tiers: {floor: 80%, target: 100%, stretch: 10000000000000000%}
split:
  North: 30%
  East: rest
"""


def test_a_tier_past_the_amount_limit_is_a_placed_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TIER_OVER)
    result = run("check", plan)
    assert result.code == 1
    assert result.err == (
        f"{plan}:5:44: error: tier 'stretch' (10000000000000000%) takes revenue's total"
        " 1.2亿 to 10^18 or more, past the limit on amounts\n"
    )


@pytest.mark.parametrize("value", ["1e30", "1e-70", "-5", "lots"])
def test_a_percent_option_out_of_range_is_a_usage_error(run, tmp_path: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, TINY_UNIT)
    result = run("progress", plan, "--fail-under", value, "--as-of", "2026-03-01")
    assert result.code == 2
    assert result.err.startswith(
        f"error: --fail-under takes a percent such as 90, not '{value}': it "
    )


NAMES = """\
plan: T
period: 2026
metrics:
  revenue: {total: 500}
split:
  "{name}": 100%
"""


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("A ", "cannot start or end with a space"),
        ("\\tA", "cannot start or end with a space"),
        ("\\u3000A", "cannot start or end with a space"),  # an ideographic space
        ("A\\u00a0", "cannot start or end with a space"),  # a no-break space
        ("   ", "cannot be only spaces"),
        ("\\u3000", "cannot be only spaces"),
    ],
)
def test_names_that_cannot_be_addressed_are_refused(name: str, problem: str) -> None:
    from targetsplit.errors import PlanError
    from targetsplit.plan.load import parse_plan

    with pytest.raises(PlanError) as e:
        parse_plan(NAMES.replace("{name}", name), "p.yaml")
    (d,) = e.value.diagnostics
    assert (d.line, d.col) == (6, 3)
    assert problem in d.message


def test_names_inside_are_fine_and_kept_composed() -> None:
    from targetsplit.plan.load import parse_plan

    plan = parse_plan(NAMES.replace("{name}", "Cafe\\u0301 Nord 1"), "p.yaml")
    (child,) = plan.root.children
    assert child.name == "Café Nord 1"  # one character é (NFC), as typed on most keyboards
    assert len(child.name) == len("Café Nord 1")


WITHIN = """\
plan: T
period: 2026
metrics:
  revenue: {total: 500}
seasonality:
  within_quarter: VALUES
split:
  A: 50%
  B: {weight: rest, seasonality: {within_quarter: [1, 1, 1]}}
"""


@pytest.mark.parametrize("values", ["[30]", "[40%, 60%]", "[1, 2, 3, 4]"])
@pytest.mark.parametrize("command", [["check"], ["allocate"], ["allocate", "--by", "week"]])
def test_within_quarter_takes_exactly_three_values(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, values: str, command: list[str]
) -> None:
    plan = write(tmp_path, WITHIN.replace("VALUES", values))
    result = run(*command, plan)
    assert result.code == 1
    n = values.count(",") + 1
    assert result.err == (
        f"{plan}:6:19: error: within_quarter: needs 3 values, one for each month of a"
        f" quarter (got {n}), e.g. [30%, 40%, 30%]\n"
    )


EDGE_PERIODS = ["0001", "0001-Q1", "0001-01", "9999", "9999-H2", "9999-12"]
EDGE_PERIODS += ["{start: 9997-01-02, end: 9999-12-31}", "{start: 0001-01-01, end: 0001-03-31}"]


@pytest.mark.parametrize("period", EDGE_PERIODS)
def test_periods_at_the_ends_of_the_calendar_work(run, tmp_path: Path, period: str) -> None:  # type: ignore[no-untyped-def]
    whole_quarters = period[-3:] not in ("-01", "-12")
    seasonality = "seasonality: {within_quarter: [1, 1, 1]}\n" if whole_quarters else ""
    plan = write(
        tmp_path,
        f"plan: T\nperiod: {period}\nmetrics:\n  revenue: {{total: 500}}\n{seasonality}"
        "split:\n  A: 50%\n  B: rest\n",
    )
    actuals = write(tmp_path, "date,node,metric,value\n", "a.csv")
    weeks = run("allocate", plan, "--by", "week", "-f", "csv").out.splitlines()[0].split(",")
    first_week = next(w for w in weeks if "-W" in w).removeprefix("revenue ")
    if not period.startswith("{"):
        assert first_week.startswith(f"{period[:4]}-")  # four digits: 0001-W01, not 1-W01
    for args in (
        ["check", plan],
        ["allocate", plan, "--by", "half", "-f", "csv"],
        ["progress", plan, "-a", actuals, "--as-of", "0001-01-01"],
        ["progress", plan, "-a", actuals, "--as-of", "9999-12-31"],
        ["progress", plan, "-a", actuals, "--week", "1"],
        ["explain", plan, "A", "--period", first_week],
        ["allocate", plan, "--period", f"{first_week}..{first_week}"],  # labels may hold '..'
    ):
        result = run(*args)
        assert result.code == 0, (args, result.err)


def test_period_years_are_one_to_9999(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(tmp_path, "plan: T\nperiod: 10000\nmetrics:\n  r: {total: 5}\nsplit:\n  A: 1\n")
    result = run("check", plan)
    assert result.code == 1
    assert "is not a period" in result.err


@pytest.mark.parametrize(
    ("text", "value", "suffix"),
    [
        ("1.2亿元", 120_000_000, "亿"),
        ("4800万元", 48_000_000, "万"),
        ("500元", 500, None),
        ("1.2億", 120_000_000, "亿"),
        ("3萬", 30_000, "万"),
        ("2千萬", 20_000_000, "千万"),
        ("5百萬", 5_000_000, "百万"),
        ("¥1,234 万 元", 12_340_000, "万"),
    ],
)
def test_yuan_and_traditional_characters(text: str, value: int, suffix: str | None) -> None:
    p = amounts.parse(text)
    assert p.value == value
    assert p.suffix == suffix  # 萬 is read as 万: one display for both
    assert p.money == ("元" in text or "¥" in text)


@pytest.mark.parametrize("text", ["50%元", "元", "5元元", "元5"])
def test_yuan_is_only_an_amounts_unit(text: str) -> None:
    with pytest.raises(amounts.AmountError):
        amounts.parse(text)


def test_a_bare_yuan_weight_is_an_amount_not_a_ratio() -> None:
    from targetsplit.plan.weights import parse_single

    with pytest.raises(ValueError, match=r"Write \{amount: 500元\}"):
        parse_single("500元")


AMOUNT_BESIDE = """\
plan: T
period: 2026
metrics:
  revenue: {total: 1.2亿元, round: 1万}
split:
  North: 30%
  East:
    weight: 40%
    split:
      Group 1: {amount: 1800万, owner: Li}
      Group 2: {amount: 1600萬元, owner: Wang}
      Group 3: {amount: 1400万, owner: Zhao, split: {A: {history: 120, note: x}, B: 2}}
  South: rest
"""


def test_amount_and_history_beside_a_nodes_other_keys() -> None:
    from targetsplit.plan.load import parse_plan
    from targetsplit.split.hierarchy import allocate

    alloc = allocate(parse_plan(AMOUNT_BESIDE, "p.yaml"))
    assert alloc.row("East/Group 1").targets["revenue"] == 18_000_000
    assert alloc.row("East/Group 1").node.owner == "Li"
    assert alloc.row("East/Group 2").targets["revenue"] == 16_000_000
    assert alloc.row("East/Group 3").targets["revenue"] == 14_000_000
    assert alloc.row("East/Group 3/A").node.weights["revenue"].kind == "history"
    assert alloc.row("East/Group 3/A").node.note == "x"


def test_amount_beside_weight_or_history_is_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\nsplit:\n"
        "  A: {amount: 300, weight: 50%}\n  B: {amount: 200, history: 3}\n"
        "  C: {amount: x, owner: Li}\n  D: {amount: , owner: Li}\n",
    )
    result = run("check", plan)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{plan}:6:6: error: A: give the weight once: weight and amount are both given"
        " (amount: 300万 is short for weight: {amount: 300万})",
        f"{plan}:7:6: error: B: give the weight once: amount and history are both given"
        " (amount: 300万 is short for weight: {amount: 300万})",
        f"{plan}:8:15: error: amount: 'x' is not a number: unexpected 'x' at character 1"
        " (amounts look like 500, 1,200,000, 1.2亿, 4800万, $1.5M or 60%)",
        f"{plan}:9:6: error: D: 'amount:' needs a value, e.g. amount: 300万",
    ]


def _errors(text: str) -> list[str]:
    from targetsplit.errors import PlanError
    from targetsplit.plan.load import parse_plan

    with pytest.raises(PlanError) as e:
        parse_plan(text, "p.yaml")
    return [d.render() for d in e.value.diagnostics]


def test_all_the_errors_of_a_plan_in_one_run() -> None:
    assert _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "calendar:\n  holidays: [2026-02-30]\n"
        "split:\n  North: {weight: 30%, ownr: Li}\n  East: 40%\n  South: 20%\n"
    ) == [
        "p.yaml:6:14: error: '2026-02-30' is not a valid date",
        "p.yaml:8:3: error: shares at the top level add up to 90% (450), 50 short of 500",
        "p.yaml:8:24: error: unknown key 'ownr'; did you mean 'owner'? (allowed here: weight,"
        " amount, history, split, owner, aliases, due, strategy, note, seasonality, mix, drivers,"
        " start, ramp)",
    ]


def test_what_only_follows_from_a_part_left_out_is_not_reported() -> None:
    # West's weight is wrong: the top level's sum cannot be judged, but East's
    # own group and the dimension still are, and the tag's key is still unknown.
    errors = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "split:\n  West: 60 %%\n  East:\n    weight: 10%\n    split: {A: 50%, B: 40%}\n"
        "  South: {weight: !!binary aGk=}\n"
        "dimensions:\n  product: {X: 50%, Y: 40%}\n"
        "extra: !!python/name:os.system\n"
    )
    assert errors == [
        "p.yaml:6:9: error: weight: '60 %%' is not a number (amounts look like 500,"
        " 1,200,000, 1.2亿, 4800万, $1.5M or 60%)",
        "p.yaml:9:12: error: shares under 'East' add up to 90% (45), 5 short of 50",
        "p.yaml:10:19: error: the tag 'tag:yaml.org,2002:binary' is not allowed in a plan",
        "p.yaml:12:12: error: shares in dimension 'product' add up to 90% (450), 50 short of 500",
        "p.yaml:13:1: error: unknown key 'extra' (allowed here: version, plan, period, metrics,"
        " tiers, seasonality, calendar, split, dimensions, status, max_growth, actuals)",
        "p.yaml:13:8: error: the tag 'tag:yaml.org,2002:python/name:os.system' is not allowed"
        " in a plan",
    ]


def test_a_required_part_at_fault_ends_the_checks_there() -> None:
    errors = _errors(
        "plan: T\nperiod: 2026-13\nmetrics:\n  revenue: {total: 5x}\nsplit:\n  A: 1\n  B: 2x\n"
    )
    assert [e.split(": error: ")[1].split(":")[0] for e in errors] == ["period", "total", "weight"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "plan: T\nperiod: 2026\nmetrics:\n\trevenue: {total: 500}\n",
            "p.yaml:4:1: error: invalid YAML: a tab is used for indenting; YAML indents with"
            " spaces only",
        ),
        (
            "plan: T\nsplit:\n  East: [60%\n  South: 40%\n",
            "p.yaml:4:8: error: invalid YAML: the '[' on line 3, column 9 is not closed:"
            " expected ',' or ']' here",
        ),
        (
            "plan: T\nmetrics: {revenue: {total: 500}\nsplit: 1\n",
            "p.yaml:3:1: error: invalid YAML: the '{' on line 2, column 10 is not closed:"
            " expected ',' or '}' here",
        ),
        (
            'plan: "T\nperiod: 2026\n',
            'p.yaml:1:7: error: invalid YAML: the quote (") here is never closed',
        ),
        (
            "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1,234万元, round: 1}\n"
            "split: {A: 1}\n",
            "p.yaml:4:20: error: '1,234万元' is cut in two at its comma: inside { } a comma"
            " ends the value. Quote it: total: '1,234万元'",
        ),
    ],
)
def test_yaml_mistakes_in_human_words(text: str, expected: str) -> None:
    assert _errors(text) == [expected]


def test_a_comma_in_text_inside_braces_gets_a_hint() -> None:
    (error,) = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "split:\n  East: {weight: 100%, owner: Li, Wang}\n"
    )
    assert error.endswith(
        "unknown key 'Wang' (allowed here: weight, amount, history, split, owner, aliases, due,"
        " strategy, note, seasonality, mix, drivers, start, ramp) (inside { } a comma starts"
        " a new entry:"
        " if it belongs to the text before it, quote that text: owner: 'Li, Wang')"
    )


def test_hints_write_values_as_yaml_keeps_them() -> None:
    (error,) = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1.2亿}\n"
        "split:\n  East: 1,234万\n  West: rest\n"
    )
    assert error.endswith("Write {amount: '1,234万'} to claim exactly that much")
    import yaml

    hinted = yaml.safe_load("{amount: '1,234万'}")
    assert hinted == {"amount": "1,234万"}


def _lint(text: str) -> list[str]:
    from targetsplit.audit.lint import forgotten_percent
    from targetsplit.plan.load import parse_document

    plan, doc = parse_document(text, "p.yaml")
    return [doc.place(d).render() for d in forgotten_percent(plan)]


def test_a_forgotten_percent_sign_is_named_with_the_percent_meant() -> None:
    assert _lint(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n  deals: {total: 40}\n"
        "split: {North: 30, East: 40%, South: 20%}\n"
    ) == [
        "p.yaml:6:16: warning: 'North' has the ratio 30 beside percents at the top level, so it"
        " gets what they leave (40%): did you mean 30%? (write rest if it takes what is left)"
    ]


def test_ratios_written_as_fractions_that_miss_1_are_named() -> None:
    assert _lint(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "split:\n  A: {weight: 50%, split: {x: 0.3, y: 0.4, z: 0.2}}\n  B: rest\n"
        "dimensions:\n  fine: {X: 0.5, Y: 0.5}\n  product: {X: 0.5, Y: 0.4}\n"
    ) == [
        "p.yaml:6:31: warning: the ratios under 'A' (0.3 / 0.4 / 0.2) look like fractions but"
        " add up to 0.9, not 1: they are shared in proportion (33.3% / 44.4% / 22.2%); if"
        " they are shares, write 30%, 40%, 20% (then check says what is missing)",
        "p.yaml:10:16: warning: the ratios in dimension 'product' (0.5 / 0.4) look like"
        " fractions but add up to 0.9, not 1: they are shared in proportion (55.6% / 44.4%);"
        " if they are shares, write 50%, 40% (then check says what is missing)",
    ]


@pytest.mark.parametrize(
    "split",
    [
        "{North: 30%, East: 2, South: 1}",  # ratios sharing what the claims leave
        "{North: 1.2, East: 0.8}",  # ratios above 1
        "{North: 30%, East: rest}",
        "{North: 30%, East: {amount: 350}}",
    ],
)
def test_plain_ratio_plans_get_no_such_warning(split: str) -> None:
    text = f"plan: T\nperiod: 2026\nmetrics:\n  revenue: {{total: 500}}\nsplit: {split}\n"
    assert _lint(text) == []


def test_check_shows_the_forgotten_percent(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = write(
        tmp_path,
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "split: {North: 30, East: 40%, South: 20%}\n",
    )
    result = run("check", plan, "--strict")
    assert result.code != 0
    assert "did you mean 30%?" in result.err


@pytest.mark.parametrize(
    ("written", "label"), [("２０２６", "2026"), ("' 2026-Q1 '", "2026-Q1"), ("0001-07", "0001-07")]
)
def test_a_periods_label_has_one_spelling(written: str, label: str) -> None:
    from targetsplit.plan.load import parse_plan

    plan = parse_plan(
        f"plan: T\nperiod: {written}\nmetrics:\n  r: {{total: 5}}\nsplit:\n  A: 1\n", "p"
    )
    assert plan.period.name == label


def test_a_period_name_with_edge_spaces_is_refused() -> None:
    (error,) = _errors(
        "plan: T\nperiod: {start: 2026-04-01, end: 2027-03-31, name: ' FY26'}\n"
        "metrics:\n  r: {total: 5}\nsplit:\n  A: 1\n"
    )
    assert (
        error
        == "p.yaml:2:9: error: period: ' FY26': a period's name cannot start or end with a space"
    )


@pytest.mark.parametrize(
    ("value", "whole"),
    [("1,234,567万", "1,234,567万"), ("¥1,234.5万元", "¥1,234.5万元"), ("1,200e3", "1,200e3")],
)
def test_an_amount_cut_at_several_commas_is_one_error(value: str, whole: str) -> None:
    errors = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 1.2亿}\n"
        f"split:\n  East: {{amount: {value}, owner: Li}}\n  South: rest\n"
    )
    assert errors == [
        f"p.yaml:6:18: error: '{whole}' is cut in two at its comma: inside {{ }} a comma ends"
        f" the value. Quote it: amount: '{whole}'"
    ]


def test_text_cut_at_several_commas_gets_the_whole_text_in_its_hint() -> None:
    errors = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500}\n"
        "split:\n  East: {weight: 100%, owner: Li, Wang, Zhao}\n"
    )
    assert len(errors) == 2
    assert all(e.endswith("quote that text: owner: 'Li, Wang, Zhao')") for e in errors)


@pytest.mark.parametrize("unit", ["1e-59", "1e-30", "1e-20"])
@pytest.mark.parametrize("tier", ["floor", None])
@pytest.mark.parametrize("by", ["month", "week"])
def test_controlled_rounding_of_a_tiny_unit_finds_its_solution(
    tmp_path: Path, unit: str, tier: str | None, by: str
) -> None:
    # Flow capacities once stopped at 2^62 units: a tiny unit has far more.
    from targetsplit import allocate

    plan = write(
        tmp_path,
        f"plan: T\nperiod: 2026\nmetrics:\n  revenue: {{total: 500, round: {unit}}}\n"
        "tiers: {floor: 80%}\n"
        "split:\n  North: 30%\n  East: {weight: 40%, split: {A: 1, B: 2}}\n  South: rest\n",
    )
    result = allocate(plan, tier=tier, by=by)
    assert result.split is not None
    for row in result.allocation.rows:
        cells = result.split.values(row.path, "revenue")
        assert sum(map(Fraction, cells)) == row.targets["revenue"]


HOSTILE = {
    "amount": ["500", "1.2亿", "'1,234万元'", "0", "1e-30", "999999999999999999", "1億", "１２０"],
    "round": ["1", "1e-30", "1e-59", "0.01", "1万", "7"],
    "weight": ["30%", "30", "0.3", "rest", "{amount: 100}", "{history: 5}", "1e-58%", "100%", "0"]
    + ["{amount: 1,234万}", "'1,234万'", "{weight: 10%, owner: Li, Wang}", "{amount: 50, note: x}"],
    "period": ["2026", "0001", "9999", "9999-Q4", "0001-01", "２０２６"]
    + [
        "{start: 9997-01-02, end: 9999-12-31}",
        "{start: 0001-01-01, end: 0001-02-01, name: 'a..b'}",
    ],
    "extra": ["", "seasonality: {within_quarter: [1, 2, 3]}\n", "seasonality: {quarters: [1, 0]}\n"]
    + ["seasonality: {within_quarter: [30]}\n", "tiers: {floor: 1e-50%, stretch: 1e15%}\n"]
    + ["calendar: {holidays: ['9999-12-01..9999-12-31', 2026-02-30]}\n", "tiers: {' a': 1%}\n"],
    "name": ["A", "Café", "Cafe\u0301", "'A '", "北区", "rest", "x..y", "'\u3000'", "W01"],
}


@st.composite
def hostile_plans(draw: st.DrawFn) -> str:
    def pick(kind: str) -> str:
        return draw(st.sampled_from(HOSTILE[kind]))

    kids = ", ".join(f"{pick('name')}{i}: {pick('weight')}" for i in range(draw(st.integers(1, 3))))
    return (
        f"plan: T\nperiod: {pick('period')}\nmetrics:\n"
        f"  revenue: {{total: {pick('amount')}, round: {pick('round')}}}\n"
        f"{pick('extra')}split: {{{kids}, B: {{weight: rest, split: {{{kids}}}}}}}\n"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_plans())
def test_hostile_plans_give_placed_errors_or_exact_figures(text: str) -> None:
    from targetsplit.errors import PlanError
    from targetsplit.plan.load import parse_plan
    from targetsplit.split.hierarchy import allocate
    from targetsplit.split.timesplit import split_over_time

    try:
        plan = parse_plan(text, "h.yaml")
    except PlanError as e:
        assert all(d.file == "h.yaml" and d.line is not None for d in e.diagnostics), e
        return
    alloc = allocate(plan, next(iter(plan.tiers)))
    split = split_over_time(alloc, "week")
    for row in alloc.rows:
        for m in plan.metrics:
            assert sum(map(Fraction, split.values(row.path, m.name))) == row.targets[m.name]


def test_a_metrics_display_at_fault_still_lets_the_shares_be_checked() -> None:
    errors = _errors(
        "plan: T\nperiod: 2026\nmetrics:\n  revenue: {total: 500, display: fancy}\n"
        "split:\n  A: 30%\n  B: 60%\n"
    )
    assert [e.split(": error: ")[1][:20] for e in errors] == [
        "display: 'fancy' mus",
        "shares at the top le",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan: T\nsplit:\n  East: weight: 60%\n", "3:15: error: invalid YAML: a ':' YAML cannot"),
        ("plan: T\nsplit:\n  East 60%\n  West: 1\n", "4:7: error: invalid YAML: a ':' YAML cannot"),
        (
            "plan: T\nsplit:\n  East:\n      weight: 1\n    owner: x\n",
            "5:5: error: invalid YAML: this line's indentation does not fit the block that"
            " starts on line 3 (its keys are at column 3)",
        ),
        (
            "plan: T\nsplit:\n  - East: 60%\n  West: 1\n",
            "4:3: error: invalid YAML: a list item ('- ') was expected here",
        ),
        (
            "plan: T\nsplit: [A, B]]\n",
            "2:14: error: invalid YAML: a ']' that closes nothing: no '[' or '{' is open here",
        ),
    ],
)
def test_more_yaml_mistakes_in_human_words(text: str, expected: str) -> None:
    (error,) = _errors(text)
    assert error.startswith(f"p.yaml:{expected}")
