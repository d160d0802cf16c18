"""Fuzzing: whatever bytes a user feeds in, only the project's own errors escape,
each with a place. Bounded example counts keep this to seconds in CI; any input
that ever failed is kept in tests/regressions/ and replayed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from targetsplit.errors import AmountError, PlanError, TargetsplitError
from targetsplit.numbers.amounts import parse
from targetsplit.plan.load import parse_plan

FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
REGRESSIONS = Path(__file__).parent / "regressions"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]


@FAST
@given(st.text(max_size=60))
def test_amount_parser_raises_only_amount_errors(text: str) -> None:
    try:
        parse(text, allow_negative=True)
    except AmountError as e:
        assert str(e)


@FAST
@given(st.from_regex(r"[-+]?[$¥€]?\d{0,40}(\.\d{0,40})?([eE][-+]?\d{1,12})?\s?(万|亿|k|M|%)?"))
def test_amount_parser_on_number_shaped_text(text: str) -> None:
    try:
        p = parse(text, allow_negative=True)
    except AmountError:
        return
    assert abs(p.value) < 10**18


def _check_plan_text(text: str) -> None:
    try:
        plan = parse_plan(text, "fuzz.yaml")
    except PlanError as e:
        assert e.diagnostics
        for d in e.diagnostics:
            assert d.file == "fuzz.yaml", d
            assert d.message
        return
    from targetsplit.split.hierarchy import allocate
    from targetsplit.split.timesplit import split_over_time

    alloc = allocate(plan)
    split_over_time(alloc, "month")


@FAST
@given(st.text(max_size=400))
def test_plan_loader_on_random_text(text: str) -> None:
    _check_plan_text(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    chars = list(text)
    for _ in range(draw(st.integers(1, 8))):
        op = rnd.choice(["delete", "insert", "duplicate", "swap"])
        i = rnd.randrange(len(chars))
        if op == "delete":
            del chars[i : i + rnd.randint(1, 12)]
        elif op == "insert":
            chars[i:i] = list(
                rnd.choice(
                    [
                        ":",
                        "-",
                        " ",
                        "\n",
                        "{",
                        "[",
                        "%",
                        "万",
                        "&a",
                        "*a",
                        "!!",
                        "1e99",
                        "rest",
                        "'",
                        "\t",
                        "\x00",
                        "\ufeff",
                    ]
                )
            )
        elif op == "duplicate":
            j = rnd.randrange(len(chars))
            chars[i:i] = chars[j : j + rnd.randint(1, 40)]
        else:
            j = rnd.randrange(len(chars))
            chars[i], chars[j] = chars[j], chars[i]
        if not chars:
            break
    return "".join(chars)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_plan_loader_on_mutated_examples(text: str) -> None:
    _check_plan_text(text)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_regressions(path: Path) -> None:
    _check_plan_text(path.read_text(encoding="utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300))
def test_cli_on_random_bytes(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    from targetsplit.cli import main

    path = tmp_path_factory.mktemp("fuzz") / "plan.yaml"
    path.write_bytes(data)
    code = main(["check", str(path)])
    assert code in (0, 1)


CSV_SEED = (EXAMPLES / "fy2026-actuals.csv").read_text(encoding="utf-8")


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 6))
def test_actuals_reader_on_mutated_csv(
    seed: int, edits: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from datetime import date

    from targetsplit.plan.load import load_plan
    from targetsplit.track.actuals import read_actuals

    rnd = random.Random(seed)
    lines = CSV_SEED.splitlines()[:40]
    for _ in range(edits):
        i = rnd.randrange(1, len(lines))
        line = list(lines[i])
        j = rnd.randrange(len(line))
        line[j:j] = list(
            rnd.choice([",", '"', "x", "-", "万", "\r", "", "9" * 30, "\ufeff", "\x00"])
        )
        lines[i] = "".join(line)
    path = tmp_path_factory.mktemp("fuzz") / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = load_plan(str(EXAMPLES / "fy2026.yaml")).plan
    try:
        read_actuals(str(path), "a.csv", plan, date(2026, 8, 9))
    except TargetsplitError as e:
        assert all(d.file == "a.csv" for d in e.diagnostics), e


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    for text in (
        "[" * 5000,
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 3000)),
        "{" * 100_000,
    ):
        with pytest.raises(PlanError) as e:
            parse_plan(text, "deep.yaml")
        assert e.value.diagnostics[0].file == "deep.yaml"


def test_thousands_of_siblings_and_long_names() -> None:
    many = "plan: P\nperiod: 2026\nmetrics:\n  r: {total: 1000000}\nsplit:\n" + "".join(
        f"  n{i}: 1\n" for i in range(5000)
    )
    from targetsplit.split.hierarchy import allocate

    alloc = allocate(parse_plan(many, "many.yaml"))
    assert sum(r.targets["r"] for r in alloc.rows[1:]) == 1_000_000
    long_name = "名" * 1000
    plan = parse_plan(
        f"plan: P\nperiod: 2026\nmetrics:\n  r: {{total: 10}}\nsplit:\n  {long_name}: 100%\n",
        "l.yaml",
    )
    assert allocate(plan).rows[1].node.name == long_name
    huge = "名" * 50_000
    with pytest.raises(PlanError) as e:
        parse_plan(
            f"plan: P\nperiod: 2026\nmetrics:\n  r: {{total: 10}}\nsplit:\n  {huge}: 1\n", "l.yaml"
        )
    assert "explicit key" in e.value.diagnostics[0].message
    explicit = f"plan: P\nperiod: 2026\nmetrics:\n  r: {{total: 10}}\nsplit:\n  ? {huge}\n  : 1\n"
    assert allocate(parse_plan(explicit, "l.yaml")).rows[1].node.name == huge


CSV_CELLS = ["2026-07-01", "2026-08-05", "A", "B", "revenue", "5", "1,234.5万", '"1,000"', "",
             " ", '"', '""', "x" * 140_000, "é", "\ufeff", "-3.25", "total"]  # fmt: skip


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A CSV with random field counts, quotes, line endings, encodings and huge cells."""
    eol = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    rows = ["date,node,metric,value"]
    for _ in range(draw(st.integers(0, 8))):
        width = draw(st.sampled_from([4, 4, 4, 3, 5, 1]))
        rows.append(",".join(draw(st.sampled_from(CSV_CELLS)) for _ in range(width)))
    ends = ["\n", "\r\n", "\r"]
    text = "".join(r + (draw(st.sampled_from(ends)) if eol == "mixed" else eol) for r in rows)
    codec = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "gbk"]))
    return text.encode(codec, errors="replace")


def _read_both(data: bytes, tmp: Path, engines: tuple[str, ...]) -> list[object]:
    from datetime import date

    from targetsplit.track.actuals import read_actuals

    plan = parse_plan(
        "plan: P\nperiod: 2026-07\nmetrics:\n  revenue: {total: 100}\nsplit:\n  A: 1\n  B: 1\n",
        "p.yaml",
    )
    path = tmp / "a.csv"
    path.write_bytes(data)
    out: list[object] = []
    for engine in engines:
        try:
            out.append(read_actuals(str(path), "a.csv", plan, date(2026, 12, 31), engine=engine))
        except TargetsplitError as e:
            assert all(d.file == "a.csv" and d.message for d in e.diagnostics), e
            assert len(e.diagnostics) <= 21
            out.append([d.render() for d in e.diagnostics])
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=csv_files())
def test_csv_grammar_on_generated_files(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _read_both(data, tmp_path_factory.mktemp("csv"), ("python",))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=csv_files())
def test_csv_engines_agree(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    python, duckdb = _read_both(data, tmp_path_factory.mktemp("csv"), ("python", "duckdb"))
    assert python == duckdb


def _nested(levels: int, inner: str = "x") -> str:
    """A value nested ``levels`` lists deep (flow style)."""
    return "[" * levels + inner + "]" * levels


DEEP_PLANS = {
    "deepest part empty": f"plan: P\nnote: {_nested(65, '')}\n",
    "empty at the edge": f"plan: P\nnote: {_nested(64, '')}\n",
    "just too deep": f"plan: P\nnote: {_nested(64)}\n",
    "inside a duplicate key": f"plan: P\nnote: 1\nnote: {_nested(70)}\n",
    "under a tag": f"plan: P\nnote: !odd {_nested(70)}\n",
    "as a key": f"plan: P\n? {_nested(70)}\n: 1\n",
    "and a syntax error": f"plan: P\nnote: {_nested(70)}\nbad: [\n",
    "behind many values": "plan: P\nx: &a ["
    + "1, " * 1000
    + "1]\n"
    + "y: ["
    + "*a, " * 600
    + f"*a]\nnote: {_nested(70)}\n",
}


@pytest.mark.parametrize("name", DEEP_PLANS)
def test_nesting_too_deep_is_the_one_error_either_way(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Where the YAML parser caps nesting, a plan is composed before its depth is
    checked; the depth error still comes alone, at the same place, wherever the
    deep part is (one the build leaves out or never reaches included)."""
    from targetsplit.plan import source

    said = {}
    for capped in (True, False):
        monkeypatch.setattr(source, "_composer_capped", lambda capped=capped: capped)
        with pytest.raises(PlanError) as e:
            parse_plan(DEEP_PLANS[name], "deep.yaml")
        said[capped] = [d.render() for d in e.value.diagnostics]
    assert said[True] == said[False]
    assert len(said[True]) == 1 and said[True][0].startswith("deep.yaml:")
    assert said[True][0].endswith(": error: nested more than 64 levels deep")


def test_this_yaml_parser_caps_nesting() -> None:
    """The parser the tests run with caps nesting, so composing comes first."""
    from targetsplit.plan.source import _composer_capped

    assert _composer_capped()


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.+-:_eE xXoObBnNuUlLtTrRfFyYsS~<=!&*T")),
        max_size=12,
    )
)
def test_plain_scalars_resolve_as_yaml_does_where_a_plan_cares(text: str) -> None:
    """The plan's YAML resolver tells apart only what a plan treats differently
    (null, the merge key, tags not allowed); every other plain scalar is text, as
    the safe resolver's int, float, bool and timestamp were."""
    import yaml

    from targetsplit.plan import source

    doc = f"k: {text}\n"
    try:
        ours = yaml.compose(doc, Loader=source._Loader)
        safe = yaml.compose(doc, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return
    mine, theirs = ours.value[0][1], safe.value[0][1]
    if theirs.tag in source._SCALAR_TAGS:
        assert mine.tag in source._SCALAR_TAGS
    else:
        assert mine.tag == theirs.tag
    assert mine.value == theirs.value
