"""``dumps_indented`` writes what ``json.dumps(value, ensure_ascii=False, indent=2)`` writes, to the byte."""

from __future__ import annotations

import json
import math
from enum import IntEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.report.pretty_json import dumps_indented

_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=30)


@settings(max_examples=2000, deadline=None)
@given(_VALUES, st.sampled_from(["", "  ", "    "]))
def test_the_text_is_json_dumps_indented(value, indent):
    # json's text breaks lines only with "\n" ("\u2028" or "\x85" inside a string are left as they are).
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
    assert dumps_indented(value, indent) == expected


class _Level(IntEnum):
    HIGH = 3


@pytest.mark.parametrize("value", [
    {1: "a", None: [1.5, math.inf]},  # keys that are no strings: json's own rules
    {"level": _Level.HIGH, "ratio": 1e-7, "big": 10**30, "text": 'quote " \\ \u2028 \x00 é 中'},
    [[], {}, [{}], {"a": []}],
])
def test_keys_numbers_and_escapes_are_json_s(value):
    assert dumps_indented(value, "  ") == json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def test_a_value_json_cannot_write_raises_its_error():
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"a": {1, 2}})


def test_a_scan_report_keeps_ids_with_unicode_line_separators_as_they_are(tmp_path):
    """The report's documents were indented with ``textwrap.indent``, which also breaks lines at U+2028 and U+0085:
    an id holding one came out with spaces inside it."""
    from click.testing import CliRunner

    from dedup.cli.main import main

    text = "The council approved the budget on Monday after a long debate about the parks and roads.\n\n" \
           "It was a long night for all members of the board in the city hall today, they said."
    odd = "line\u2028sep\x85x\u2029end"
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in (odd, "b")), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [d["id"] for d in report["documents"]] == [odd, "b"]
    assert report["documents"][1]["duplicate_of"] == odd
