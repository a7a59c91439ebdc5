import gzip
import json

from click.testing import CliRunner

from dedup.cli.main import main
from dedup.io.readers import InputError, read_jsonl

from .conftest import ARTICLE

GOOD = "Storm closes schools.\n\nA storm closed schools across the region on Monday, officials said."


def _write_lines(path, lines):
    data = "".join(line + "\n" for line in lines).encode()
    if str(path).endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def _corpus(tmp_path, name="news.jsonl"):
    return _write_lines(tmp_path / name, [
        json.dumps({"url": "u1", "body": GOOD}),
        "{not json",
        json.dumps({"url": "u2"}),
        json.dumps({"url": "u3", "body": None}),
        json.dumps({"url": "u4", "body": 42}),
        json.dumps({"url": "u5", "body": ["a", "list"]}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"url": "u1", "body": "a duplicate id"}),
        json.dumps({"body": ARTICLE.read_text()}),
    ])


def test_read_jsonl_yields_good_records_and_names_each_bad_line(tmp_path):
    path = _corpus(tmp_path)
    items = list(read_jsonl(str(path), text_field="body", id_field="url"))
    docs = [i for i in items if not isinstance(i, InputError)]
    errors = [str(i) for i in items if isinstance(i, InputError)]
    assert [d.id for d in docs] == ["u1", f"{path}:10"]
    assert errors == [
        f"{path}:2: malformed JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:3: no 'body' field (its fields: 'url')",
        f"{path}:4: field 'body' is null, not a string",
        f"{path}:5: field 'body' is int, not a string",
        f"{path}:6: field 'body' is list, not a string",
        f"{path}:7: a JSON array, not an object",
        f"{path}:9: duplicate id 'u1' (first at line 1)",
    ]


def test_scan_gzipped_jsonl_keeps_good_records_and_exits_1(tmp_path):
    path = _corpus(tmp_path, "news.jsonl.gz")
    result = CliRunner().invoke(main, ["scan", str(path), "--text-field", "body", "--id-field", "url",
                                       "--format", "jsonl"])
    assert result.exit_code == 1
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["id"] for d in docs] == ["u1", f"{path}:10"]
    assert docs[0]["groups"] == [{"paragraphs": [0, 1], "representative": 0}]
    assert docs[1]["paragraphs"] == 15
    assert "skipped 7 of 9 inputs" in result.stderr
    assert "Traceback" not in result.stderr


def test_truncated_gzip_keeps_the_complete_lines_before_it(tmp_path):
    lines = [json.dumps({"id": f"d{i}", "text": f"Document {i} says something.\n\nMore text {i}."}) for i in range(200)]
    whole = gzip.compress("".join(line + "\n" for line in lines).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    items = list(read_jsonl(str(path)))
    docs = [i for i in items if not isinstance(i, InputError)]
    assert isinstance(items[-1], InputError) and "truncated or corrupt gzip" in str(items[-1])
    assert 0 < len(docs) < 200
    assert [d.id for d in docs] == [f"d{i}" for i in range(len(docs))]


def test_missing_jsonl_file(tmp_path):
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'none.jsonl'}: no such file" in result.stderr


def test_a_corpus_whose_records_lack_the_text_field_is_told_the_option_once(tmp_path):
    """Records keeping their text under another name are each skipped, and then the command says once what
    the likely fix is (the bundled corpus keeps it under "body")."""
    path = tmp_path / "news.jsonl"
    _write_lines(path, [json.dumps({"url": f"u{i}", "body": ARTICLE.read_text()}) for i in range(3)])
    for command in (["scan", str(path)], ["clean", str(path), "-o", str(tmp_path / "clean.jsonl")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        hints = [line for line in result.stderr.splitlines() if "--text-field" in line]
        assert hints == ["dedup: error: no record has a 'text' field (the first has 'url', 'body'): name the "
                         "field that holds the text with --text-field"]
    right = CliRunner().invoke(main, ["scan", str(path), "--text-field", "body", "--id-field", "url"])
    assert right.exit_code == 0 and "--text-field" not in right.stderr


def test_the_option_is_not_blamed_when_only_some_records_lack_the_field(tmp_path):
    path = _corpus(tmp_path)
    result = CliRunner().invoke(main, ["scan", str(path), "--text-field", "body", "--id-field", "url"])
    assert result.exit_code == 1 and "no 'body' field" in result.stderr
    assert "name the field" not in result.stderr


def test_ids_that_are_not_strings_read_as_json_spells_them(tmp_path):
    path = tmp_path / "ids.jsonl"
    rows = [{"id": True, "text": "One text."}, {"id": 5, "text": "Two text."}, {"id": 2.5, "text": "Three."},
            {"id": False, "text": "Four text."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [d.id for d in read_jsonl(str(path))] == ["true", "5", "2.5", "false"]


def test_clean_writes_every_other_field_back_as_it_came_in(tmp_path):
    # Re-encoded, 1e400 (a float too large for Python) came back as Infinity, which is not JSON, and 1.10 as
    # 1.1; a 5,000-digit integer stopped the batch (Python refuses to convert it). Only the text is replaced.
    article = ARTICLE.read_text()
    big = "7" * 5000
    head = ('{"id":"a", "score": 1e400, "ratio": 1.10, "tiny": 1e-400, "big": ' + big
            + ', "name": "caf\\u00e9", "nested": {"x": [1E+2, -0.0]}, "text": ')
    tail = ', "after": true}'
    nan = '{"id": "b", "weight": NaN, "low": -Infinity, "text": '
    source = _write_lines(tmp_path / "c.jsonl", [head + json.dumps(article) + tail, nan + json.dumps(GOOD) + "}"])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    first, second = out.read_text(encoding="utf-8").splitlines()

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    cleaned = json.loads(first, parse_constant=refuse, parse_int=str)["text"]  # valid JSON, no Infinity
    assert len(cleaned) < len(article), "the article's restated paragraphs were removed"
    assert first == head + json.dumps(cleaned, ensure_ascii=False) + tail  # every other byte as it was
    # NaN and Infinity (Python's json writes them; JSON has none) are kept as the input had them.
    assert second == nan + json.dumps(json.loads(second)["text"], ensure_ascii=False) + "}"


def test_a_record_with_a_huge_integer_is_scanned_not_a_crash(tmp_path):
    source = _write_lines(tmp_path / "c.jsonl", ['{"id": "a", "n": ' + "9" * 5000 + ', "text": ' + json.dumps(GOOD) + "}",
                                                 json.dumps({"id": "b", "text": ARTICLE.read_text()})])
    result = CliRunner().invoke(main, ["scan", str(source), "-f", "json", "--no-within", "-q"])
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads(result.stdout)["documents"]] == ["a", "b"]
