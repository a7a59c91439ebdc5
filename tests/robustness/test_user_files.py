"""Nothing lost, third round: outputs that landed on the index being queried or in the checkpoint folder the scan
deletes, and `dedup clean` writing a page's extracted text in place of what the input held. Each test failed
before its fix."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import main

DATA = Path(__file__).resolve().parents[2] / "data"
ARTICLE = (DATA / "vance_article.txt").read_text(encoding="utf-8")


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def index_db(tmp_path):
    db = tmp_path / "news.db"
    assert _run("index", "add", db, DATA / "sample_corpus.jsonl", "--text-field", "body", "-q").exit_code == 0
    return db


# 1. `dedup index query -o` never writes over the index it reads

@pytest.mark.parametrize("name", ["news.db", "news.db-wal", "news.db-shm", "news.db-journal", "./sub/../news.db"])
def test_index_query_refuses_an_output_on_the_index_or_its_files(index_db, tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    before = _sha(index_db)
    result = _run("index", "query", "news.db", DATA / "vance_article.txt", "-o", name)
    assert result.exit_code == 2 and "is the index" in result.output and result.output.count("\n") == 1
    assert _sha(index_db) == before
    assert _run("index", "check", "news.db").exit_code == 0


def test_index_query_refuses_a_link_to_the_index(index_db, tmp_path):
    (tmp_path / "report.txt").symlink_to(index_db)
    result = _run("index", "query", index_db, DATA / "vance_article.txt", "-o", tmp_path / "report.txt")
    assert result.exit_code == 2 and "is the index" in result.output
    assert _run("index", "check", index_db).exit_code == 0


def test_index_query_still_writes_beside_the_index(index_db, tmp_path):
    out = tmp_path / "news.db.json"  # a name that starts like the index's is not the index
    result = _run("index", "query", index_db, DATA / "vance_article.txt", "-f", "json", "-o", out)
    assert result.exit_code == 0 and json.loads(out.read_text())["queries"]


# 2. a scan's report is never written where its checkpoint is deleted

@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE.replace("Putin", "Vladimir Putin"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["reports.bin", "CURRENT", "a", "report.json"])
def test_a_report_inside_the_checkpoint_folder_is_refused_before_the_scan(corpus, tmp_path, name):
    folder = tmp_path / "ck"
    folder.mkdir()
    result = _run("scan", corpus, "--checkpoint", folder, "-f", "json", "-q", "-o", folder / name)
    assert result.exit_code == 2 and "inside the checkpoint folder" in result.output
    assert result.output.count("\n") == 1 and not any(folder.iterdir())


def test_a_report_through_a_link_to_the_checkpoint_folder_is_refused(corpus, tmp_path):
    folder = tmp_path / "ck"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder)
    result = _run("scan", corpus, "--checkpoint", tmp_path / "link", "-q", "-o", folder / "reports.bin")
    assert result.exit_code == 2 and "inside the checkpoint folder" in result.output


def test_a_report_beside_the_checkpoint_folder_is_written(corpus, tmp_path):
    folder, out = tmp_path / "ck", tmp_path / "ck-report.json"
    result = _run("scan", corpus, "--checkpoint", folder, "-f", "json", "-q", "-o", out)
    assert result.exit_code == 0 and len(json.loads(out.read_text())["documents"]) == 2
    assert not folder.exists()  # made by the scan, removed once the report is out


def test_an_empty_checkpoint_path_is_a_usage_error(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("scan", corpus, "--checkpoint", "", "-q")
    assert result.exit_code == 2 and "--checkpoint ''" in result.output


# 3. `dedup clean` writes what it read as HTML as it came in

pytest.importorskip("trafilatura")
TAGGED = "<b>Update</b> Floods: " + (DATA / "dev" / "weather_flood.txt").read_text(encoding="utf-8")
PAGE = ("<html><head><title>Budget</title></head><body><article><h1>Council passes the budget</h1>"
        "<p>The city council voted 9-4 on Tuesday to approve a $298 million budget for next year.</p>"
        "<p>The city council voted 9-4 on Tuesday to approve a $298 million budget for next year.</p>"
        "<p>Libraries will open on Sundays, and the bus fleet gets twelve electric buses.</p>"
        "</article></body></html>\n")


def test_clean_writes_a_text_file_read_as_html_byte_for_byte(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(TAGGED, encoding="utf-8")
    result = _run("clean", source, "-o", tmp_path / "out.txt")
    assert result.exit_code == 0 and "note.txt: read as HTML: written as it came in" in result.output
    assert (tmp_path / "out.txt").read_bytes() == source.read_bytes()


def test_clean_with_input_format_text_cleans_it_as_text(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text(TAGGED, encoding="utf-8")
    result = _run("clean", source, "--input-format", "text", "-o", tmp_path / "out.txt")
    cleaned = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert result.exit_code == 0 and "removed paragraphs" in result.output and "read as HTML" not in result.output
    assert cleaned.startswith("<b>Update</b> Floods:") and len(cleaned) < len(TAGGED)


def test_clean_writes_an_html_page_as_it_came_in_and_still_drops_its_copy(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text(PAGE, encoding="utf-8")
    (folder / "b.html").write_text(PAGE.replace("Tuesday", "Tuesday night"), encoding="utf-8")
    (folder / "c.txt").write_text(ARTICLE, encoding="utf-8")
    result = _run("clean", folder, "-o", tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    page = next(name for name in written if name.endswith(".html"))
    assert result.exit_code == 0 and f"{page}: read as HTML: written as it came in" in result.output
    assert len(written) == 2 and "c.txt" in written  # the other page: a near-duplicate, dropped whole
    assert (tmp_path / "out" / page).read_bytes() == (folder / page).read_bytes()
    assert len((tmp_path / "out" / "c.txt").read_text(encoding="utf-8")) < len(ARTICLE)  # text is still cleaned


def test_clean_writes_a_json_lines_record_read_as_html_as_it_came_in(tmp_path):
    lines = [json.dumps({"id": "page", "text": PAGE, "n": 1e3}), json.dumps({"id": "vance", "text": ARTICLE})]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run("clean", source, "-o", tmp_path / "out.jsonl")
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 0 and "page: read as HTML" in result.output
    assert out[0] == lines[0]
    assert json.loads(out[1])["id"] == "vance" and len(json.loads(out[1])["text"]) < len(ARTICLE)


# 4. what a folder or a JSON Lines file holds is read or named, never passed over

def test_a_folder_walk_follows_linked_folders_once_and_names_broken_links(tmp_path):
    corpus, other = tmp_path / "corpus", tmp_path / "other"
    (corpus / "sub").mkdir(parents=True)
    other.mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (other / "b.txt").write_text(TAGGED.split(": ", 1)[1], encoding="utf-8")
    (corpus / "linked").symlink_to(other)
    (corpus / "sub" / "up").symlink_to(corpus)  # a loop: walked once
    (corpus / "gone.txt").symlink_to(tmp_path / "missing.txt")
    os.mkfifo(corpus / "pipe.txt")
    result = _run("scan", corpus, "-f", "json", "-o", tmp_path / "r.json")
    ids = [d["id"] for d in json.loads((tmp_path / "r.json").read_text())["documents"]]
    assert result.exit_code == 1 and sorted(ids) == [str(corpus / "a.txt"), str(corpus / "linked" / "b.txt")]
    assert f"{corpus / 'gone.txt'}: a link to nothing" in result.output
    assert f"{corpus / 'pipe.txt'}: not a regular file" in result.output and "skipped 2 of 4 inputs" in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_json_lines_file_is_one_clear_line(tmp_path, encoding):
    records = "".join(json.dumps({"id": f"r{i}", "text": ARTICLE}) + "\n" for i in range(3))
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    (tmp_path / "wide.jsonl").write_bytes(bom + records.encode(encoding))
    (tmp_path / "fine.jsonl").write_text(records.replace('"r', '"f'), encoding="utf-8-sig")
    result = _run("scan", tmp_path / "wide.jsonl", tmp_path / "fine.jsonl", "-f", "json", "-o", tmp_path / "r.json")
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert result.exit_code == 1 and len(errors) == 1 and "wide.jsonl: UTF-16 or UTF-32 text" in errors[0]
    assert len(json.loads((tmp_path / "r.json").read_text())["documents"]) == 3


# 5. Ctrl-C outside pass one's own handling

def test_ctrl_c_before_the_scan_starts_leaves_no_checkpoint_behind(corpus, tmp_path, monkeypatch):
    import dedup.cli.main as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "run_scan", interrupted)
    folder = tmp_path / "ck"
    result = _run("scan", corpus, "--checkpoint", folder, "-q", "-o", tmp_path / "r.txt")
    assert result.exit_code == 130 and "nothing to resume" in result.output and "Aborted" not in result.output
    assert not folder.exists() and not (tmp_path / "r.txt").exists()


def test_ctrl_c_while_the_report_is_written_keeps_the_checkpoint_to_resume(corpus, tmp_path, monkeypatch):
    import dedup.cli.main as cli

    folder, out = tmp_path / "ck", tmp_path / "r.json"
    expected = _run("scan", corpus, "-f", "json", "-q")
    write = cli._write_report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_write_report", interrupted)
    result = _run("scan", corpus, "--checkpoint", folder, "-f", "json", "-q", "-o", out)
    assert result.exit_code == 130 and f"checkpoint saved in {folder}" in result.output
    assert (folder / "CURRENT").exists() and not out.exists()
    monkeypatch.setattr(cli, "_write_report", write)
    assert _run("scan", corpus, "--checkpoint", folder, "-f", "json", "-q", "-o", out).exit_code == 0
    documents = [d["id"] for d in json.loads(out.read_text())["documents"]]
    assert documents == [d["id"] for d in json.loads(expected.output)["documents"]] and not folder.exists()


def test_ctrl_c_while_the_command_loads_is_no_traceback(tmp_path):
    code = ("import sys\n"
            "class Interrupt:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'dedup.cli.main':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Interrupt())\n"
            "sys.argv = ['dedup', '--help']\n"
            "from dedup.cli import run\n"
            "run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and done.stderr.strip() == "Aborted!" and "Traceback" not in done.stderr


# 6. an index edited by hand is named, not read as numbers

@pytest.mark.parametrize("edit", ["UPDATE idf SET docs = -5", "UPDATE idf SET df = x'010203'"])
def test_a_hand_edited_idf_table_is_a_damaged_index_in_one_line(index_db, edit):
    import sqlite3
    import warnings

    with sqlite3.connect(index_db) as db:
        db.execute(edit)
    db.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarning from a negative count was printed
        result = _run("index", "query", index_db, DATA / "vance_article.txt")
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"{index_db}: a damaged index (the document frequencies" in result.output


@pytest.mark.parametrize("option", ["--spark-output", "--spark-master"])
def test_a_spark_option_without_the_spark_engine_is_a_usage_error(corpus, tmp_path, option):
    result = _run("scan", corpus, option, tmp_path / "spark", "-q")
    assert result.exit_code == 2 and f"{option} only with --engine spark" in result.output


# 7. a Redis index checks its own keys only

@pytest.mark.parametrize("prefixes", [("news", "news:doc"), ("a*", "ab"), ("x[y]", "xy")])
def test_a_redis_index_checks_only_its_own_keys_beside_a_prefix_that_extends_or_matches_it(redis_url, prefixes):
    import uuid

    from dedup import Index
    from dedup.io.readers import read_documents

    tag = uuid.uuid4().hex[:6]
    documents = [d for d in read_documents([str(DATA / "sample_corpus.jsonl")], text_field="body")]
    locations = [f"{redis_url}?prefix={tag}{prefix}" for prefix in prefixes]
    held = {locations[0]: documents[:3], locations[1]: documents}  # the other index's rows past the first's
    for location, added in held.items():
        with Index(location) as index:
            index.add_many(added)
    for location, added in held.items():
        with Index(location) as index:
            assert index.verify() == []
        check = _run("index", "check", location)
        assert check.exit_code == 0 and f"ok, {len(added)} documents" in check.output
    with Index(locations[0]) as index:  # and a removal leaves the other index whole
        index.remove([documents[0].id])
    with Index(locations[1]) as index:
        assert index.verify() == [] and len(index) == len(documents)


@pytest.mark.parametrize("text", ["🙂 🙃 😀", "!!! ??? ...", "— • —"])
def test_the_index_refuses_a_text_without_words_as_every_reader_does(tmp_path, text):
    from dedup import Index
    from dedup.io.readers import Document

    skipped = []
    with Index(str(tmp_path / "i.db")) as index:
        with pytest.raises(ValueError, match="no words"):
            index.add("c", text)
        assert index.add_many([Document("x", text), Document("v", ARTICLE)],
                              on_skip=lambda doc_id, why: skipped.append(doc_id)) == 1
        assert skipped == ["x"] and len(index) == 1


# 8. the library names a bad argument as everywhere else

def test_library_arguments_that_were_taken_unchecked_are_named(tmp_path):
    from dedup import CorpusScanner, Detector, Index

    for call, name in ((lambda: Detector(confirm="tfidf").detect("a b c d", doc_id=None), "doc_id"),
                       (lambda: Detector(confirm="tfidf").detect("a b c d", doc_id=5), "doc_id"),
                       (lambda: CorpusScanner(date_field=5), "date_field")):
        with pytest.raises(TypeError, match=f"^{name} must be a string"):
            call()
    with Index(str(tmp_path / "i.db")) as index:
        with pytest.raises(TypeError, match="^doc_ids must be an iterable of ids, got NoneType"):
            index.remove(None)


# 9. a page crawled again is compared with what was indexed before it only

def test_checking_the_original_again_never_makes_it_a_duplicate_of_its_later_copies(tmp_path):
    from dedup import Index

    original = (DATA / "dev" / "business_merger.txt").read_text(encoding="utf-8")
    paragraphs = original.split("\n\n")
    other = (DATA / "dev" / "weather_flood.txt").read_text(encoding="utf-8").split("\n\n")
    reusing = "\n\n".join(other[:4] + paragraphs[3:6] + other[4:8])  # a later page copying three paragraphs
    with Index(str(tmp_path / "i.db")) as index:
        assert index.check("a", original, add=True).duplicates == []
        assert [m.b for m in index.check("b", original, add=True).duplicates] == ["a"]
        later = index.check("c", reusing, add=True)
        assert {r.b for r in later.reuse} | {p.doc for p in later.passages} == {"a", "b"}  # c reuses a and b
        again = index.check("a", original)  # crawled again: still the original
        assert (again.duplicates, again.passages, again.reuse) == ([], [], [])
        copy = index.check("b", original)  # the copy crawled again: still a's duplicate, not c's source
        assert [m.b for m in copy.duplicates] == ["a"] and copy.reuse == []
        assert [m.doc for m in index.query(original, top=3)][:2] == ["a", "b"]  # query still sees every copy


# 10. a page of thousands of alike paragraphs is a bounded check, on either store

def _alike(n: int, word: str) -> str:
    return "\n\n".join(f"Paragraph number {i} talks about the weather in some town, with rain and wind and sun. "
                       + f"{word}{i} " * 20 for i in range(n))


def test_a_page_of_alike_paragraphs_compares_a_bounded_number_of_pairs(make_location):
    from dedup import Index
    from dedup.index.store import PAIR_BUDGET

    pages = {"indexed": _alike(1500, "word"), "alike": _alike(1500, "other")}
    answers = []
    with Index(make_location(), within=False, reuse=False) as index:
        index.add("indexed", pages["indexed"])
        asked = index.store.paragraph_matches
        compared = []

        def counted(*args, **kwargs):
            found = asked(*args, **kwargs)
            compared.append(sum(len(rows) for rows in found))
            return found
        index.store.paragraph_matches = counted
        for doc_id in ("alike", "indexed-again"):
            text = pages["alike"] if doc_id == "alike" else pages["indexed"]
            verdict = index.check(doc_id, text)
            answers.append(([m.b for m in verdict.duplicates], [(p.paragraph, p.number) for p in verdict.passages]))
    # Every pair of the 1,500 x 1,500 alike paragraphs was a candidate; now at most the budget, and an exact
    # copy (a near-duplicate) reads none of them.
    assert compared[0] <= PAIR_BUDGET and compared[1] == 0
    assert answers[1] == (["indexed"], [])


# 11. `dedup clean` never removes a paragraph for a restatement that changes one fact

_FILLER = ["Council Approves Harbour Plan After Long Debate",
           "The city council met for three hours on Tuesday evening in the old town hall, with residents filling the "
           "public gallery.",
           None,
           "Officials said the budget debate had been among the most contentious in recent memory, with several "
           "amendments withdrawn.",
           "Local business owners have long argued that parking rules in the downtown district discourage shoppers "
           "from visiting.",
           None,
           "A spokesperson for the transport department declined to comment on the timing of the next review."]


@pytest.mark.parametrize("first, changed", [
    ("The council voted not to approve the harbour redevelopment plan on Tuesday, and no date was set for another "
     "vote.", "The council voted to approve the harbour redevelopment plan on Tuesday, and no date was set for "
     "another vote."),
    ("Three people were taken to hospital after the collapse of the balcony at the apartment building on the "
     "seafront.", "Seven people were taken to hospital after the collapse of the balcony at the apartment building "
     "on the seafront."),
    ("The state will spend $2.1 million on repairs to the harbour wall and the two ferry terminals over five years.",
     "The state will spend $2.1 billion on repairs to the harbour wall and the two ferry terminals over five years."),
    ("The company said its new factory in Austria would employ about 900 workers when it opens next year.",
     "The company said its new factory in Australia would employ about 900 workers when it opens next year."),
    ("Lopez won the state senate race in the northern district by a wide margin, according to official results.",
     "Becker won the state senate race in the northern district by a wide margin, according to official results."),
    ("The average temperature in the valley last winter was 5 degrees, the weather service said in its annual "
     "review.", "The average temperature in the valley last winter was -5 degrees, the weather service said in its "
     "annual review."),
    ("The appeals court ruled that the surveillance law was constitutional and sent the case back to the lower "
     "court.", "The appeals court ruled that the surveillance law was unconstitutional and sent the case back to "
     "the lower court."),
])
def test_clean_keeps_a_paragraph_that_changes_one_fact_of_an_earlier_one(tmp_path, first, changed):
    source = tmp_path / "article.txt"
    paragraphs = list(_FILLER)
    paragraphs[2], paragraphs[5] = first, changed
    source.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    reported = json.loads(_run("scan", source, "-f", "json").output)["documents"][0]["matches"]
    assert any((m["a"], m["b"]) == (2, 5) for m in reported)  # reported as a restatement: clean must still keep it
    result = _run("clean", source, "-o", tmp_path / "out.txt")
    assert "removed no paragraph (" in result.output
    assert (tmp_path / "out.txt").read_bytes() == source.read_bytes()


def test_clean_still_removes_a_plain_restatement(tmp_path):
    source = tmp_path / "article.txt"
    paragraphs = list(_FILLER)
    paragraphs[2] = paragraphs[5] = ("Seven people were taken to hospital after the collapse of the balcony at the "
                                     "apartment building on the seafront.")
    source.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert "removed paragraphs 5 (1 of 7)" in _run("clean", source, "-o", tmp_path / "out.txt").output


# 12. `clean --sentences` cuts whole sentences only

_CLAIM = "the harbour redevelopment will cost the city about 45 million dollars over the next decade"
_SPLIT_WRONG = "\n\n".join([
    "Harbour Plan Moves Ahead",
    f"Mayor Ana Ruiz said {_CLAIM}. The council approved it late on Tuesday.",
    "Residents packed the gallery for the debate, and several speakers raised concerns about traffic.",
    f"The estimate came from Maria Lopez, a Ph.D. candidate whose study found {_CLAIM}. The council has not yet "
    "responded to the figures.",
    f"The design firm, based in Oakland, Calif. said {_CLAIM}. It has built similar marinas elsewhere.",
    f'She told reporters: "{_CLAIM[0].upper() + _CLAIM[1:]}. We will not leave the fishermen behind." Then she left '
    "the chamber without taking questions.",
    f"The fishing cooperative said it would study the plan ({_CLAIM}.) and respond within a month.",
]) + "\n"


def test_clean_sentences_never_cuts_where_the_splitter_may_be_wrong(tmp_path):
    source = tmp_path / "article.txt"
    source.write_text(_SPLIT_WRONG, encoding="utf-8")
    result = _run("clean", source, "--sentences", "-o", tmp_path / "out.txt")
    cleaned = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert result.exit_code == 0
    for whole in ("a Ph.D. candidate whose study found", "based in Oakland, Calif. said", 'She told reporters: "',
                  "study the plan (the harbour"):
        assert whole in cleaned  # kept whole: no cut after "Ph.D.", "Calif.", inside the quotation or brackets
    assert cleaned.count('"') % 2 == 0 and cleaned.count("(") == cleaned.count(")")
