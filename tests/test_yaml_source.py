"""The plan reader's shortcuts give what the slow way gives (plan/source.py)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from targetsplit.plan import source

pytestmark = pytest.mark.skipif(source._C_LOADER is None, reason="PyYAML without libyaml")

WORDS = [
    *source._IMPLICIT_TAGS,
    *["", "~", "null", "Null", "NULL", "<<", "=", "!", "&", "*"],
    *"yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF y n".split(),
    *"12 0.5 -1 +3 1e3 .inf -.Inf .NaN 0x1F 0o17 0b101 1_000 12:30:45 190:20:30".split(),
    *"2026-08-03 2026-8-3 2026-08-03T10:00:00Z 2026-08-03 10:00:00.5 +05:00".split(),
    *"null~ nul NULL\n ~\n <<< == !! && ** ! & * <= =< - ? : # @ ` %".split(" "),
    "null\n",
    "~\n",
    "<<\n",
    " ",
    "60%",
    "1.2亿",
    "rest",
]


def _slow(kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
    """The tag the resolver's own patterns give."""
    return str(yaml.resolver.BaseResolver.resolve(source._TextResolver(), kind, value, implicit))


def _fast(kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
    loader = source._Loader("")
    try:
        return str(loader.resolve(kind, value, implicit))
    finally:
        loader.dispose()


def test_the_table_holds_every_tag_the_patterns_give_a_word() -> None:
    assert set(source._IMPLICIT_TAGS.values()) == {
        tag for rules in source._TextResolver.yaml_implicit_resolvers.values() for tag, _ in rules
    }


@pytest.mark.parametrize("value", WORDS)
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (False, False)])
def test_scalar_tags_as_the_patterns_give_them(value: str, implicit: tuple[bool, bool]) -> None:
    assert _fast(yaml.ScalarNode, value, implicit) == _slow(yaml.ScalarNode, value, implicit)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from(list("~nulNL<=!&*\n tT.0-:e")), max_size=6) | st.text())
def test_any_plain_scalar_gets_the_patterns_tag(value: str) -> None:
    assert _fast(yaml.ScalarNode, value, (True, False)) == _slow(
        yaml.ScalarNode, value, (True, False)
    )


@pytest.mark.parametrize("kind", [yaml.MappingNode, yaml.SequenceNode])
def test_collections_as_before(kind: type[yaml.Node]) -> None:
    assert _fast(kind, None, (True, False)) == _slow(kind, None, (True, False))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_compose_to_the_same_tags(path: object) -> None:
    """Every example plan: each node's tag as with the resolver's patterns."""

    class Slow(source._TextResolver, yaml.SafeLoader):  # the pure-Python composer
        pass

    text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]

    def tags(node: yaml.Node) -> list[tuple[str, object]]:
        out = [(node.tag, node.value if isinstance(node, yaml.ScalarNode) else None)]
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                out += tags(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                out += tags(k) + tags(v)
        return out

    fast = yaml.compose(text, Loader=source._Loader)
    slow = yaml.compose(text, Loader=Slow)
    assert tags(fast) == tags(slow)
