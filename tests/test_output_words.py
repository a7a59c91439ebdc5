"""What the output and help say: numbers with the noun they take, options whose help matches what they
do, sizes in units, a report that prints as a summary."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import find_redundancy
from dedup.cli.main import main
from dedup.records import DocumentMatch
from dedup.report.formats import counted

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "vance_article.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_counted_agrees_with_the_number():
    assert [counted(n, "paragraph") for n in (0, 1, 2)] == ["0 paragraphs", "1 paragraph", "2 paragraphs"]
    assert counted(1, "match") == "1 match" and counted(3, "match") == "3 matches"
    assert counted(1, "near-duplicate cluster") == "1 near-duplicate cluster"


def test_one_of_everything_is_singular(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("A single paragraph about rivers and their long slow bends.\n")
    table = _run("scan", one).output
    assert "1 paragraph, 0 restatement groups, 0 matches" in table
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text(TEXT.replace("Putin", "Vladimir Putin"))
    corpus = _run("scan", tmp_path / "a.txt", tmp_path / "b.txt", "--no-within").output
    assert "2 documents: 1 near-duplicate cluster (2 documents)" in corpus
    assert "clusters" not in corpus.splitlines()[0]


def test_clean_says_paragraph_for_one(tmp_path):
    text = "Rivers bend slowly across wide plains.\n\nRivers bend slowly across wide plains.\n\nA new idea here.\n"
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text("Cats sleep most of the day and hunt when the light goes.\n")
    result = _run("clean", tmp_path / "a.txt", tmp_path / "b.txt", "-o", tmp_path / "out")
    assert "removed 1 paragraph" in result.output and "removed 1 paragraphs" not in result.output
    assert "kept 2 of 2 documents (0 near-duplicates dropped" in result.output


def test_help_says_what_thresholds_do_in_each_confirm_mode():
    text = " ".join(_run("scan", "--help").output.split())
    assert "With --confirm tfidf it confirms a match on its own; with --confirm learned the reranker decides" in text
    assert "the reranker requires" not in text
    assert text.count("[default: id]") == 1 and "default id: path:line" not in text
    assert "[default: 64MiB]" in text and "67108864" not in text


@pytest.mark.parametrize("size, limit", [("1K", 1024), ("2KiB", 2048), ("1MB", 1 << 20), ("500", 500)])
def test_max_bytes_takes_units(tmp_path, size, limit):
    doc = tmp_path / "d.txt"
    doc.write_text("word " * (limit // 5 + 1))  # just over the limit
    result = _run("scan", doc, "--max-bytes", size)
    assert result.exit_code == 1 and f"larger than the {limit:,}-byte limit" in result.output


def test_a_bad_size_is_a_usage_error(tmp_path):
    result = _run("scan", ARTICLE, "--max-bytes", "lots")
    assert result.exit_code == 2 and "'lots' is not a size" in result.output


def test_a_report_prints_as_a_summary():
    report = find_redundancy(TEXT)
    shown = repr(report)
    assert shown.startswith("Report(id=") and "paragraphs=15" in shown and f"matches={len(report.matches)}" in shown
    assert len(shown) < 300 and report.paragraphs[3].text[:60] not in shown


def test_a_verdict_names_the_indexed_document_doc_in_the_library_as_in_json(tmp_path):
    from dedup import Index
    from dedup.report.formats import verdict_to_dict
    with Index(str(tmp_path / "i.db"), within=False) as index:
        index.add("original", TEXT)
        verdict = index.check("copy", TEXT.replace("Putin", "Vladimir Putin"))
    match = verdict.duplicates[0]
    assert isinstance(match, DocumentMatch) and match.doc == match.b == "original"
    assert json.loads(json.dumps(verdict_to_dict(verdict)))["duplicates"][0]["doc"] == match.doc


def test_first_words_cut_chinese_and_long_words_between_characters():
    import textwrap

    from dedup.report.reuse_output import first_words

    # textwrap.shorten cuts at spaces only: a paragraph of Chinese, or one long URL, was shown as "..." alone.
    assert first_words("中" * 100, 20) == "中" * 8 + " ..."  # a Chinese character takes two columns
    assert first_words("中文" * 5, 20) == "中文" * 5
    assert first_words("https://example.com/" + "a" * 80, 30) == "https://example.com/aaaaaa ..."
    english = "The central bank raised interest rates by half a point to fight inflation, its governor said."
    assert first_words(english, 40) == textwrap.shorten(english, width=40, placeholder=" ...")
    assert first_words("  two\n\nlines ", 40) == "two lines"


def test_the_table_shows_the_start_of_a_long_chinese_paragraph(tmp_path):
    sentence = "全国人民代表大会常务委员会今天在北京召开会议讨论了新的法律草案。"
    paragraph = sentence * 3
    path = tmp_path / "zh.txt"
    path.write_text("标题\n\n" + paragraph + "\n\n其他内容在这里。\n\n" + paragraph + "\n", encoding="utf-8")
    result = _run("scan", path)
    assert "[  1] " + sentence[:16] in result.output
