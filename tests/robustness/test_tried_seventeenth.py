"""Found by trying it, seventeenth round: an international news desk, a technical writer with structured text, a
corpus deduplicator, an auditor of the written promises and an attacker on time. Each test failed before its fix."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import main

ARTICLES = Path(__file__).resolve().parent / "multilingual"


def _clean(tmp_path, source: Path, *options: str) -> str:
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


# 1. An international desk: paragraph 8 repeats paragraph 2 with one fact changed. A sentence in Polish, Czech,
#    Romanian, Danish or Indonesian holding "to", "are", "for" or "The" was read as English, its number words unread
#    ("cztery" for "trzy"); a negation added in Russian, Hindi or Turkish ("не", "नहीं", "değil") was missed where
#    the earlier paragraph held the word in another sentence.
@pytest.mark.parametrize("name", sorted(p.stem for p in ARTICLES.glob("*_fact_*.txt")))
def test_clean_keeps_a_paragraph_with_one_fact_changed_in_other_languages(tmp_path, name):
    source = ARTICLES / f"{name}.txt"
    changed = source.read_text(encoding="utf-8").split("\n\n")[8].strip()
    assert changed in _clean(tmp_path, source)


@pytest.mark.parametrize("name", sorted(p.stem for p in ARTICLES.glob("*_repeat_*.txt")))
def test_clean_still_removes_a_verbatim_repeat_in_other_languages(tmp_path, name):
    source = ARTICLES / f"{name}.txt"
    repeated = source.read_text(encoding="utf-8").split("\n\n")[8].strip()
    assert _clean(tmp_path, source).count(repeated) == 1
