"""Found by trying it, seventh round. Each test failed before its fix."""

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import Index, find_redundancy
from dedup.cli.main import main
from dedup.io.clean import clean

BUDGET = "The city council voted 7-2 on Tuesday to approve a $48 million budget for next year, including road repairs."
MAYOR = "Mayor Ellen Park said the plan balances growth and restraint."
TAXES = "The finance director warned that property tax revenue may fall if the housing market slows in the spring."
HEARING = "Residents can comment on the spending plan at a public hearing on March 3 at city hall."


def _run(*args, stdin=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def _article(repeat: str) -> str:
    return "\n\n".join(["City council approves new budget", BUDGET, MAYOR + " Critics disagree.", TAXES, repeat,
                        HEARING]) + "\n"


# 1. A paragraph repeated word for word, one of its sentences too short to be aligned: it goes all the same

def test_a_paragraph_repeated_word_for_word_with_a_short_sentence_is_removed():
    text = _article(MAYOR + " Critics disagree.")
    result = clean(find_redundancy(text), source=text)
    assert result.removed_paragraphs == (4,)
    assert result.text == "\n\n".join(["City council approves new budget", BUDGET, MAYOR + " Critics disagree.",
                                       TAXES, HEARING]) + "\n"


def test_a_short_sentence_the_earlier_paragraph_lacks_keeps_its_paragraph():
    for short in ("Critics agree.", "Supporters cheer."):
        text = _article(MAYOR + " " + short)
        result = clean(find_redundancy(text), source=text)
        assert 4 not in result.removed_paragraphs
        assert short in result.text


# 2. --sentences on a paragraph of several lines: the lines it keeps stay lines

def test_cutting_a_sentence_keeps_the_line_ends_of_the_paragraph(tmp_path):
    lines = ["Critics said the library plan was too costly and the roads too slow.", BUDGET,
             "A vote on taxes follows", "in April next year."]
    text = "Budget passes\n\n" + BUDGET + "\nRoads get most of the money.\n\n" + "\n".join(lines) + "\n\n" + HEARING + "\n"
    path = tmp_path / "wrapped.txt"
    path.write_text(text)
    result = _run("clean", "--sentences", path)
    assert result.exit_code == 0, result.output
    kept = "\n".join(lines[:1] + lines[2:])
    assert kept in result.stdout and BUDGET not in result.stdout.split("\n\n")[2]


# 3. JSON Lines written with CRLF come back with CRLF, each line with the end it came with

def test_clean_writes_each_json_line_back_with_its_own_line_end(tmp_path):
    records = [{"id": "a", "text": _article(MAYOR + " Critics disagree.")},
               {"id": "b", "text": "Something else entirely here.\n\nAnother paragraph of other words."},
               {"id": "c", "text": "A third text, with no restatement in it.\n\nIts second paragraph is new."}]
    ends = ["\r\n", "\r\n", "\n"]
    source = tmp_path / "crlf.jsonl"
    source.write_bytes("".join(json.dumps(r) + end for r, end in zip(records, ends)).encode())
    out = tmp_path / "out.jsonl"
    result = _run("clean", source, "-o", out)
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b"" and [line.endswith(b"\r") for line in lines[:-1]] == [True, True, False]
    written = [json.loads(line) for line in lines[:-1]]
    assert [r["id"] for r in written] == ["a", "b", "c"]
    assert written[0]["text"].count("Critics disagree.") == 1 and written[1:] == records[1:]


# 4. Thai and Lao are alphabets: their letters as words made every two paragraphs alike, and clean emptied the article

THAI = ["ฝนตกหนักในกรุงเทพ",
        "กรมอุตุนิยมวิทยาประกาศเตือนฝนตกหนักในกรุงเทพมหานคร ตั้งแต่คืนนี้ถึงพรุ่งนี้ ประชาชนควรหลีกเลี่ยงการเดินทาง",
        "การแข่งขันวิ่งมาราธอนนานาชาติสุดสัปดาห์นี้ จะจัดขึ้นตามกำหนดการเดิม ผู้จัดกล่าว",
        "รายได้เฉลี่ยของครัวเรือนในครึ่งปีแรก เพิ่มขึ้นร้อยละห้า เมื่อเทียบกับปีก่อน"]
LAO = ["ຝົນຕົກໜັກໃນນະຄອນຫຼວງວຽງຈັນ ມື້ນີ້",
       "ກົມອຸຕຸນິຍົມປະກາດເຕືອນຝົນຕົກໜັກ ໃນນະຄອນຫຼວງວຽງຈັນ ແຕ່ຄືນນີ້ຮອດມື້ອື່ນ",
       "ການແຂ່ງຂັນແລ່ນມາຣາທອນສາກົນ ທ້າຍອາທິດນີ້ ຈະຈັດຂຶ້ນຕາມກຳນົດເດີມ",
       "ລາຍໄດ້ສະເລ່ຍຂອງຄອບຄົວ ໃນເຄິ່ງປີທຳອິດ ເພີ່ມຂຶ້ນຮ້ອຍລະຫ້າ"]


@pytest.mark.parametrize("paragraphs", [THAI, LAO], ids=["thai", "lao"])
@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_unrelated_thai_or_lao_paragraphs_are_not_restatements(paragraphs, confirm):
    text = "\n\n".join(paragraphs) + "\n"
    report = find_redundancy(text, confirm=confirm)
    assert report.matches == [] and report.groups == []
    assert clean(report, source=text).text == text


@pytest.mark.parametrize("paragraphs", [THAI, LAO], ids=["thai", "lao"])
def test_a_thai_or_lao_paragraph_repeated_is_found_and_removed_alone(paragraphs, tmp_path):
    text = "\n\n".join([*paragraphs, paragraphs[1]]) + "\n"
    report = find_redundancy(text)
    assert [(m.a, m.b) for m in report.matches] == [(1, len(paragraphs))]
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    result = _run("clean", path)
    assert result.exit_code == 0 and result.stdout == "\n\n".join(paragraphs) + "\n"


# 5. A new sentence after "¡", "« " or a full-width "！" was joined to the repeated one before it, and clean removed it

TRAM_ES = "El tranvía entre la estación central y la universidad vuelve a circular desde el lunes tras tres meses de obras."
TRAM_FR = ("Le tramway entre la gare centrale et l\u2019université circule de nouveau depuis lundi après trois mois de "
           "travaux sur les voies.")
TRAM_JA = "中央駅と大学を結ぶ路面電車が月曜日から運行を再開した。線路の改修工事は三か月続いた"


@pytest.mark.parametrize("title, first, other, new", [
    ("El tranvía vuelve a circular", TRAM_ES, "El alcalde anunció una nueva zona peatonal en el casco antiguo.",
     " ¡El billete costará el doble a partir de julio!"),
    ("Le tramway reprend du service", TRAM_FR, "Le maire a annoncé une nouvelle zone piétonne dans la vieille ville.",
     " «\u00a0Le billet coûtera le double dès juillet\u00a0», a averti la régie."),
    ("路面電車が運行再開", TRAM_JA + "。", "市長は旧市街に新しい歩行者天国を設けることも発表した。", "！運賃は七月から倍になる。"),
], ids=["spanish", "french", "japanese"])
def test_a_new_sentence_after_opening_marks_keeps_its_paragraph(title, first, other, new):
    repeated = (first[:-1] if new.startswith("！") else first) + new
    text = "\n\n".join([title, first, other, repeated]) + "\n"
    report = find_redundancy(text)
    assert len(report.paragraphs[3].sentences) >= 2
    result = clean(report, source=text)
    assert 3 not in result.removed_paragraphs and result.text == text


def test_sentences_split_after_spanish_french_and_cjk_marks():
    from dedup.text.segment import normalize, split_sentences

    def sentences(text):
        return [s.text for s in split_sentences(normalize(text))]

    assert sentences("Primera frase aquí? ¿Segunda frase?") == ["Primera frase aquí?", "¿Segunda frase?"]
    assert sentences("Première phrase. « Deuxième phrase. »") == ["Première phrase.", '" Deuxième phrase. "']
    assert sentences("Первое предложение. — Второе предложение.") == ["Первое предложение.", "- Второе предложение."]
    assert sentences("本当ですか？はい！") == ["本当ですか?", "はい!"]
    assert sentences("彼は「行きます。」次の文。") == ["彼は「行きます。」", "次の文。"]
    assert sentences("It was the U.S. economy. The end.") == ["It was the U.S. economy.", "The end."]
    assert sentences("He met Dr. Smith. -Koran 33.27") == ["He met Dr. Smith. -Koran 33.27"]


# 6. clean in other languages: a number word, a name in a script without capitals, a negation changed one fact

ONE_FACT = {  # (title, a sentence, the same with one fact changed, an unrelated paragraph)
    "german": ("Stadtrat berät über Haushalt",
               "Die Erneuerung der Straßenbahngleise zwischen dem Hauptbahnhof und der Universität dauerte drei "
               "Monate und kostete die Stadt sehr viel Geld.", ("drei", "sieben"),
               "Der Bürgermeister kündigte außerdem eine Fußgängerzone in der Altstadt an."),
    "arabic": ("إعلان نتائج الانتخابات",
               "فاز السيناتور لوبيز في الانتخابات في الدائرة الشمالية بفارق كبير بعد حملة طويلة ومريرة.",
               ("لوبيز", "بيكر"), "كانت نسبة المشاركة أعلى من السنوات السابقة."),
    "russian": ("Городской совет и бюджет",
                "Городской совет одобрил новый бюджет на ремонт трамвайных путей между вокзалом и университетом.",
                ("одобрил", "не одобрил"), "Мэр также объявил о новой пешеходной зоне в старом городе."),
    "chinese": ("市议会讨论预算", "连接火车站和大学的有轨电车线路经过三个月的施工后于周一恢复运营。", ("三", "七"),
                "市长还宣布将在老城区设立新的步行街。"),
    "french": ("Le conseil municipal et le budget",
               "La rénovation des voies du tramway entre la gare et l'université a duré trois mois et a coûté cher.",
               ("trois", "sept"), "Le maire a aussi annoncé une nouvelle zone piétonne dans la vieille ville."),
}


@pytest.mark.parametrize("language", sorted(ONE_FACT))
def test_clean_keeps_a_paragraph_that_changes_one_fact_in_another_language(language):
    title, sentence, (old, new), other = ONE_FACT[language]
    changed = sentence.replace(old, new, 1)
    text = "\n\n".join([title, sentence, other, changed]) + "\n"
    assert clean(find_redundancy(text), source=text).text == text
    repeated = "\n\n".join([title, sentence, other, sentence]) + "\n"  # the same words: a repeat, removed
    assert clean(find_redundancy(repeated), source=repeated).text == "\n\n".join([title, sentence, other]) + "\n"


# 7. A soft hyphen (U+00AD, invisible) cut a word in two: a copy began a word late, and a repeat stayed

TRAM_DE = ("Die Straßenbahnlinie zwischen dem Hauptbahnhof und der Universität fährt seit Montag wieder regelmäßig. "
           "Die Verkehrsbetriebe hatten die Gleise drei Monate lang erneuert.")
HYPHENATED = TRAM_DE.replace("Straßenbahnlinie", "Straßen\u00adbahn\u00adlinie")


def test_a_soft_hyphen_does_not_cut_a_word():
    from dedup.text.words import word_spans, words

    assert words("Straßen\u00adbahn\u00adlinie fährt") == ["straßenbahnlinie", "fährt"]
    assert word_spans("Die Straßen\u00adbahn") == [("die", 0, 3), ("straßenbahn", 4, 16)]


def test_a_copy_with_soft_hyphens_is_found_from_its_first_word_and_is_verbatim():
    from dedup.reuse.align import align_texts

    a = "Der Bürgermeister kündigte außerdem eine neue Fußgängerzone in der Altstadt an.\n\n" + TRAM_DE + "\n"
    b = "Im Stadtrat gab es Streit über die Finanzierung des Schwimmbads.\n\n" + HYPHENATED + "\n"
    [record] = align_texts(a, b)
    assert (a[slice(*record.a_span)], b[slice(*record.b_span)], record.kind) == (TRAM_DE, HYPHENATED, "verbatim")


def test_a_paragraph_repeated_with_soft_hyphens_is_removed():
    other = "Der Bürgermeister kündigte außerdem eine neue Fußgängerzone in der Altstadt an."
    text = "\n\n".join(["Straßenbahn fährt wieder", TRAM_DE, other, HYPHENATED]) + "\n"
    assert clean(find_redundancy(text), source=text).removed_paragraphs == (3,)


# 8. Index: a passage's `documents` counted its matches, not the documents holding it

def test_a_passage_repeated_inside_one_indexed_document_counts_one_document(tmp_path):
    from dedup import Index

    passage = ("The council approved the new budget for the tram line between the station and the university on "
               "Monday evening.")
    with Index(str(tmp_path / "x.db")) as index:
        index.add("one", f"Budget news\n\n{passage}\n\nThe mayor spoke about parks and gardens in the old town.\n\n"
                         f"{passage}")
        index.add("two", f"Tram news\n\n{passage}\n\nRiders welcomed the decision at the depot on Tuesday.")
        verdict = index.check("q", f"Other title here\n\n{passage}\n\nUnrelated words about cooking pasta at home.")
    assert sorted((p.doc, p.number) for p in verdict.passages) == [("one", 1), ("one", 3), ("two", 1)]
    assert {p.documents for p in verdict.passages} == {2}


# 9. An id repeated in another file: the scan keeps the first; the HTML report showed the second's text, and
#    clean dropped the second from its output

HARBOUR = ("The city council approved a new budget for road repairs on Tuesday, allocating funds to fix potholes "
           "across the northern districts before winter storms arrive.")


def test_the_html_report_shows_the_text_the_scan_read_for_a_repeated_id(tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps({"id": "x", "text": HARBOUR}) + "\n"
                   + json.dumps({"id": "y", "text": HARBOUR + " Work begins next month."}) + "\n")
    two.write_text(json.dumps({"id": "x", "text": "Skipped duplicate id: a record about mountain snow."}) + "\n")
    report = tmp_path / "report.html"
    result = _run("scan", one, two, "-f", "html", "-o", report)
    assert result.exit_code == 1 and "duplicate id 'x'" in result.stderr
    page = report.read_text()
    assert "mountain snow" not in page and "Skipped duplicate" not in page


def test_clean_writes_back_a_record_whose_id_another_file_used(tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first = json.dumps({"id": "x", "text": "Harbour pier closes for repairs.\n\nFerries move to the eastern terminal."})
    second = json.dumps({"id": "x", "text": "A different record about mountain snow."})
    one.write_text(first + "\n")
    two.write_text(second + "\n")
    out = tmp_path / "out.jsonl"
    result = _run("clean", one, two, "-o", out)
    assert result.exit_code == 1
    assert out.read_text() == first + "\n" + second + "\n"
    assert "two.jsonl:1: not read: written as it came in" in result.stderr


def test_clean_copies_a_file_whose_id_another_file_has(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(str(folder)) + b"/bad\xffname.txt"  # named "bad\xffname.txt" in ids, as the next one is
    with open(raw, "wb") as f:
        f.write(b"Harbour pier closes for repairs on Monday.\n\nFerries move to the eastern terminal.\n")
    (folder / "bad\\xffname.txt").write_text("Mountain resorts report heavy snow this weekend.\n\nSki lifts open.\n")
    out = tmp_path / "out"
    result = _run("clean", folder, "-o", out)
    assert result.exit_code == 1
    written = sorted(p.read_bytes() for p in out.iterdir())
    assert len(written) == 2 and sorted(p.read_bytes() for p in folder.iterdir()) == written


# 10. copy_window had no upper bound: 10**18 was stored in an index, whose every add then failed allocating exabytes

def test_a_copy_window_past_its_bound_is_refused_before_the_index_is_made(tmp_path):
    from dedup import Index
    from dedup.reuse.search import ReuseSearch

    for name in ("copy_window", "copy_n"):
        with pytest.raises(ValueError, match=rf"{name} must be an integer in \[\d, 1000\]"):
            ReuseSearch(**{name: 10**18})
    with pytest.raises(ValueError, match="copy_window"):
        Index(str(tmp_path / "cw.db"), copy_window=10**18)
    assert list(tmp_path.iterdir()) == []
    with Index(str(tmp_path / "ok.db"), copy_window=1000) as index:
        assert index.add("a", HARBOUR)


# 11. Tried as a shell user: stdout that cannot be written, stdin closed or a terminal, a locale that is not UTF-8

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _shell(command: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], capture_output=True, encoding="utf-8", errors="replace",
                          env=env or ENV, cwd=cwd, timeout=600)


@pytest.fixture
def small_index(tmp_path):
    db = tmp_path / "news.db"
    with Index(str(db)) as index:
        index.add("a", HARBOUR)
    return db


@pytest.mark.parametrize("redirect", ["> /dev/full", ">&-"])
@pytest.mark.parametrize("command", ["index stats {db}", "index check {db}", "--help", "--version"])
def test_a_stdout_that_cannot_be_written_is_one_line(small_index, command, redirect):
    done = _shell(f"{sys.executable} -m dedup {command.format(db=small_index)} {redirect}")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("dedup: error: <stdout>: cannot write (")


def test_index_remove_from_a_closed_stdin_is_one_line(small_index):
    done = _shell(f"{sys.executable} -m dedup index remove {small_index} --from - <&-")
    assert done.returncode == 1 and done.stderr == "dedup: error: <stdin>: standard input is closed\n"
    with Index(str(small_index)) as index:
        assert len(index) == 1


def test_a_locale_that_is_not_utf8_gets_utf8_output(tmp_path):
    folder = tmp_path / "nf"
    folder.mkdir()
    text = "Straße Titel\n\nDie Straße in München wurde gesperrt, sagte die Polizei am Morgen.\n"
    (folder / "straße.txt").write_text(text, encoding="utf-8")
    env = {**ENV, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    scanned = _shell(f"{sys.executable} -m dedup scan nf -q -f json", env, tmp_path)
    assert scanned.returncode == 0 and "Traceback" not in scanned.stderr
    cleaned = _shell(f"{sys.executable} -m dedup clean nf -o cleaned/ -q", env, tmp_path)
    assert cleaned.returncode == 0 and (tmp_path / "cleaned" / "straße.txt").read_text(encoding="utf-8") == text
    printed = _shell(f"{sys.executable} -m dedup clean nf/straße.txt", {**ENV, "PYTHONIOENCODING": "latin-1"},
                     tmp_path)
    assert printed.returncode == 0 and printed.stdout == text  # read as UTF-8 here: written as UTF-8


@pytest.mark.parametrize("command", ["scan", "clean"])
def test_one_end_of_file_on_a_terminal_ends_the_input(command):
    """Standard input read to its end to tell what it holds was read again: a terminal then waited for a second
    Ctrl-D. The bound only turns a hang into a failure."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: dedup reading the terminal
        os.environ["PYTHONPATH"] = str(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "dedup", command, "-", "-q"])
    os.write(fd, b"A title here\n\nSome paragraph of words about the harbour.\n\x04")
    output, status = b"", None
    deadline = time.monotonic() + 300
    while status is None and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            try:
                output += os.read(fd, 4096)
            except OSError:  # the child has gone: its end of the terminal closed
                pass
        done, code = os.waitpid(pid, os.WNOHANG)
        status = os.waitstatus_to_exitcode(code) if done else None
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    assert status == 0, output.decode(errors="replace")[-500:]


def test_json_lines_from_stdin_into_a_folder_is_named_for_what_it_holds(tmp_path):
    records = "".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate([HARBOUR, MAYOR, TAXES]))
    result = _run("clean", "-", "-o", f"{tmp_path / 'out'}{os.sep}", "-q", stdin=records)
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["stdin.jsonl"]
    assert (tmp_path / "out" / "stdin.jsonl").read_text() == records


def test_clean_no_within_keeps_restated_paragraphs_or_is_refused_with_restated(tmp_path):
    text = _article(MAYOR + " Critics disagree.")
    path = tmp_path / "a.txt"
    path.write_text(text)
    kept = _run("clean", path, "--no-within")
    assert kept.exit_code == 0 and kept.stdout == text
    refused = _run("clean", path, "--no-within", "--restated")
    assert refused.exit_code == 2 and "--no-within skips the search" in refused.output


def test_a_page_with_a_headline_keeps_a_paragraph_it_repeats(tmp_path):
    pytest.importorskip("trafilatura")
    para = ("The harbour authority said on Monday the new ferry terminal will open next spring after long delays "
            "caused by funding.")
    page = tmp_path / "p.html"
    page.write_text("<!doctype html><html><head><title>T</title></head><body><article><h1>Harbour ferry terminal "
                    f"to open</h1><p>{para}</p><p>{para}</p></article></body></html>")
    from dedup.io.readers import read_documents

    [doc] = read_documents([str(page)])
    assert doc.text.split("\n\n") == ["Harbour ferry terminal to open", para, para]


# 12. Reuse in text of lone CR line ends (a heading taken into the passage), and a text of one paragraph a line
#     against itself (its repeat not found)

BUDGET_P = ("The city council voted nine to four on Tuesday night to approve a budget of 298 million dollars for the "
            "coming year. The plan raises property taxes by two percent and adds forty new police officers to the "
            "downtown precinct. Mayor Linda Ortiz said the vote showed that the council could still work together on "
            "the hardest choices.")


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_reuse_spans_are_the_same_whatever_the_line_ends(line_end):
    from dedup.reuse.align import align_texts

    reworded = ("On Tuesday evening, council members approved the coming year's budget of 298 million dollars by a "
                "vote of nine to four. Property taxes will rise by two percent under the plan, which also adds forty "
                "police officers to the downtown precinct. According to Mayor Linda Ortiz, the vote proved the "
                "council can still work together on its hardest choices.")
    text = line_end.join(["Budget vote", "", reworded, "", "Other news follows here today.", ""])
    [record] = align_texts(text, BUDGET_P)
    assert text[slice(*record.a_span)] == reworded


@pytest.mark.parametrize("separator", ["\n\n", "\r\r", "\n", "\r"])
def test_a_text_against_itself_reads_its_paragraphs_as_segment_does(separator):
    from dedup.reuse.align import align_texts

    text = separator.join(["Budget news", BUDGET_P, "Unrelated words about gardening tomatoes and weather.", BUDGET_P])
    [record] = align_texts(text)
    assert text[slice(*record.a_span)] == text[slice(*record.b_span)] == BUDGET_P
    assert len(find_redundancy(text).paragraphs) == 4


# 13. ReuseSearch's and align_texts' parameters checked where they are given (they failed inside a scan)

@pytest.mark.parametrize("given, error, named", [
    ({"align": None}, TypeError, "align must be an AlignSettings"),
    ({"align": "strict"}, TypeError, "align must be an AlignSettings"),
    ({"copy_sample": 2**64}, ValueError, "copy_sample must be an integer in"),
    ({"key_words": 2**40}, ValueError, "key_words must be an integer in"),
])
def test_reuse_search_parameters_are_checked_at_construction(given, error, named):
    from dedup.reuse.search import ReuseSearch

    with pytest.raises(error, match=named):
        ReuseSearch(**given)


def test_align_texts_names_an_idf_that_is_no_function():
    from dedup.reuse.align import align_texts

    with pytest.raises(TypeError, match="idf must be a function"):
        align_texts(BUDGET_P, BUDGET_P, idf=5)


# 14. clean kept facts it could not read: a number's scale, a hyphenated number word, "minus" in words, "Will" and
#     "May", currencies beyond the four, a name one letter longer, "nowhere", "atypical"

T_BODY = ("The committee will meet again next month to review the remaining proposals from residents.",
          "Residents can comment on the plan at the library until the end of the month.")


def _one_fact_kept(first: str, second: str) -> None:
    text = "\n\n".join(["Officials Review the Plan", first, T_BODY[0], second, T_BODY[1]]) + "\n"
    for confirm in ("learned", "tfidf"):
        assert clean(find_redundancy(text, confirm=confirm), source=text).text == text, (confirm, second)


@pytest.mark.parametrize("first, changed", [
    ("The proposed sales tax would raise about forty-five million dollars a year for buses and a new tram line, "
     "county officials said.", ("forty-five", "fifty-five")),
    ("Work will begin in the northern districts next spring, council member Tom Becker said on Tuesday.",
     ("Tom", "Will")),
    ("Work will begin in the northern districts on March 3 next year, council member Tom Becker said on Tuesday.",
     ("March", "May")),
    ("The plan would cost the city 5 million dollars over the next decade and create jobs in the northern "
     "districts, officials said.", ("dollars", "pesos")),
    ("The company signed a contract worth $500 million on Monday to build a new steel mill outside Pune, officials "
     "said.", ("$", "\u20b9")),
    ("Council member Serena Williams said the plan would cost the city too much money over the next decade.",
     ("Williams", "William")),
    ("A state police helicopter was seen near Eagle Lake on Friday, officials said.", ("seen near", "seen nowhere near")),
    ("The council said the plan was typical and that work would begin in the northern districts next spring.",
     ("typical", "atypical")),
], ids=["hyphenated", "will", "may", "pesos", "rupee-sign", "williams", "nowhere", "atypical"])
def test_clean_keeps_a_paragraph_changing_one_fact_it_did_not_read(first, changed):
    _one_fact_kept(first, first.replace(*changed, 1))


def test_clean_reads_a_number_with_its_scale_and_minus_in_words():
    _one_fact_kept("Temperatures in Harbour County are expected to fall to minus five degrees overnight, the weather "
                   "service said on Monday.",
                   "Temperatures in Harbour County are expected to fall to five degrees overnight, the weather "
                   "service said on Monday.")
    text = ("Auditor Reviews City Spending\n\nThe city spent $2.1 million on road repairs last year, auditor Janet "
            "Ruiz said on Friday after a review of 300 contracts. It spent $3 billion on new school buildings over "
            "the same period.\n\nMayor Tom Becker said the figures showed the city was investing in its future.\n\n"
            "The city spent $2.1 billion on road repairs last year, auditor Janet Ruiz said on Friday after a review "
            "of 300 contracts.\n\nCritics on the council said the road repairs had been poorly planned.\n")
    assert clean(find_redundancy(text), source=text).text == text


def test_a_title_like_line_of_the_body_is_not_removed_for_the_headline_alone():
    text = ("Storm Closes Schools Across Harbour County\n\nA powerful winter storm closed every public school in "
            "Harbour County on Monday, officials said.\n\nPower was out for about 42,000 homes by mid-morning, "
            "according to Harbour Electric.\n\nSchools across Harbour County closed by the storm\n\nSuperintendent "
            "Maria Chen said buses would not run on Tuesday either.\n")
    assert clean(find_redundancy(text), source=text).text == text
    doubled = "Storm Closes Schools Across Harbour County\n\n" + text  # the headline word for word: cut
    assert clean(find_redundancy(doubled), source=doubled).text == text


# 15. Folder trees: a thousand folders deep (a RecursionError stopped the scan), a real folder named by a link to it
#     when the link was listed first, a loop of links called a link to nothing

def test_a_very_deep_folder_tree_is_walked(tmp_path):
    from dedup.io.walk import walk_folder

    deep = tmp_path / "tree"
    levels = [str(deep)]
    for _ in range(1000):  # made and removed a level at a time: os.makedirs and rmtree recurse as os.walk did
        levels.append(os.path.join(levels[-1], "d"))
    for level in levels:
        os.mkdir(level)
    (deep / "top.txt").write_text("Title\n\nSome words in a file.\n")
    bottom = Path(levels[-1], "bottom.txt")
    bottom.write_text("Bottom\n\nOther words down here.\n")
    try:
        found, problems = walk_folder(deep, (".txt",))
        assert found == [bottom, deep / "top.txt"] and problems == []
    finally:
        bottom.unlink()
        for level in reversed(levels[1:]):
            os.rmdir(level)


def test_a_folder_is_named_by_its_own_path_before_a_link_to_it(tmp_path):
    from dedup.io.walk import walk_folder

    for first, second in (("a", "b"), ("b", "a")):  # the real folder listed first, then last
        tree = tmp_path / f"t{first}"
        (tree / first).mkdir(parents=True)
        (tree / second).mkdir()
        (tree / first / "x.txt").write_text("X title\n\nwords of x here\n")
        (tree / second / "link").symlink_to(f"../{first}")
        found, _ = walk_folder(tree, (".txt",))
        assert found == [tree / first / "x.txt"]


def test_a_loop_of_links_is_named_as_one(tmp_path):
    from dedup.io.walk import walk_folder

    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "gone.txt").symlink_to("missing.txt")
    _, problems = walk_folder(tmp_path, (".txt",))
    assert sorted(problems) == [(str(tmp_path / "a.txt"), "a loop of links"), (str(tmp_path / "b.txt"), "a loop of links"),
                                (str(tmp_path / "gone.txt"), "a link to nothing (its target is missing)")]


# 16. Inputs: a pipe named as a path read as one text by the index, UTF-16 JSON Lines on stdin read as prose, a
#     page in windows-1252 written back as UTF-8 under its old <meta charset>

RECORDS = (json.dumps({"id": "a", "text": "Alpha title\n\nfirst body words here about the harbour."}) + "\n"
           + json.dumps({"id": "b", "text": "Beta title\n\nsecond body words about the mountains."}) + "\n")


def test_index_add_reads_json_lines_from_a_pipe_named_as_a_path(tmp_path):
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    db = tmp_path / "i.db"
    (tmp_path / "src.jsonl").write_text(RECORDS)
    done = _shell(f"cat {tmp_path / 'src.jsonl'} > {fifo} & {sys.executable} -m dedup index add {db} {fifo}",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with Index(str(db)) as index:
        assert len(index) == 2 and "a" in index and "b" in index


def test_utf16_json_lines_on_stdin_are_refused_as_a_file_is():
    import codecs

    data = codecs.BOM_UTF16_LE + RECORDS.encode("utf-16-le")
    result = CliRunner().invoke(main, ["scan", "-", "-f", "json", "-q"], input=data)
    assert result.exit_code == 1 and "UTF-16 or UTF-32 text; JSON Lines are UTF-8" in result.stderr
    text = codecs.BOM_UTF16_LE + "A title\n\nSome text in UTF-16 about the harbour.\n".encode("utf-16-le")
    read = CliRunner().invoke(main, ["scan", "-", "-f", "json", "-q"], input=text)  # UTF-16 text is still text
    assert read.exit_code == 0 and json.loads(read.stdout)["documents"][0]["paragraphs"] == 2


def test_clean_writes_a_page_back_byte_for_byte(tmp_path):
    pytest.importorskip("trafilatura")
    body = "".join(f"<p>Paragraph {i} about the caf\u00e9 council \u201cvote\u201d on the harbour budget and the "
                   "bridge repairs.</p>" for i in range(5))
    raw = ('<html><head><meta charset="windows-1252"></head><body><article><h1>Caf\u00e9 news today</h1>' + body
           + "</article></body></html>").encode("cp1252")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cp.html").write_bytes(raw)
    (tmp_path / "in" / "x.txt").write_text("Plain text here.\n\nAnother paragraph of it.\n")
    assert _run("clean", tmp_path / "in" / "cp.html", "-o", tmp_path / "one.html").exit_code == 0
    assert (tmp_path / "one.html").read_bytes() == raw
    assert _run("clean", tmp_path / "in", "-o", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out" / "cp.html").read_bytes() == raw


def test_clean_says_which_json_lines_file_its_output_leaves_out(tmp_path):
    import codecs
    import gzip

    good = tmp_path / "good.jsonl"
    good.write_text(RECORDS)
    (tmp_path / "u16.jsonl").write_bytes(codecs.BOM_UTF16_LE + RECORDS.encode("utf-16-le"))
    (tmp_path / "gz.jsonl").write_bytes(gzip.compress(RECORDS.encode()))
    out = tmp_path / "merged.jsonl"
    result = _run("clean", good, tmp_path / "u16.jsonl", tmp_path / "gz.jsonl", "-o", out, "-q")
    assert result.exit_code == 1 and out.read_text() == RECORDS
    for name in ("u16.jsonl", "gz.jsonl"):
        assert f"{tmp_path / name}: not in the output (none of its records could be read" in result.stderr


# 17. --max-bytes counted a record's line end: a record of the limit was refused before a "\n" and kept without

@pytest.mark.parametrize("end", ["\n", "\r\n", ""])
def test_max_bytes_limits_a_record_not_its_line_end(tmp_path, end):
    from dedup.io.readers import InputError, read_documents

    record = json.dumps({"id": "x", "text": "alpha beta gamma delta"})
    path = tmp_path / "e.jsonl"
    path.write_bytes((record + end).encode())
    size = len(record.encode())
    assert [d.id for d in read_documents([str(path)], max_bytes=size)] == ["x"]
    [refused] = read_documents([str(path)], max_bytes=size - 1)
    assert isinstance(refused, InputError) and "record larger than" in refused.reason
    piped = _run("scan", "-", "--max-bytes", size, "-q", "-f", "json", stdin=(record + end).encode())
    assert piped.exit_code == 0 and [d["id"] for d in json.loads(piped.stdout)["documents"]] == ["x"]


# 18. The library in a threaded service: a shared Detector, a scan's reports read from threads, a checkpointed
#     scan in a worker thread, overlapping scans and the process's BLAS threads

DEV = sorted((ROOT / "data" / "dev").glob("*.txt"))


def _as_json(report) -> str:
    from dedup.report.formats import report_to_dict

    return json.dumps(report_to_dict(report), sort_keys=True)


@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_a_detector_shared_by_threads_gives_each_text_its_own_report(confirm):
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    from dedup import Detector

    texts = [p.read_text(encoding="utf-8") for p in DEV[:24]]
    detector = Detector(confirm=confirm)
    alone = [_as_json(detector.detect(t)) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(2):
            assert list(pool.map(lambda t: _as_json(detector.detect(t)), texts)) == alone
    copy = pickle.loads(pickle.dumps(detector))  # still sent to processes and Spark's executors
    assert _as_json(copy.detect(texts[0])) == alone[0]


def test_a_scans_reports_read_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    from dedup import CorpusScanner
    from dedup.io.readers import Document

    texts = [p.read_text(encoding="utf-8") for p in DEV[:32]]
    report = CorpusScanner().scan([Document(f"d{i}", t) for i, t in enumerate(texts)])
    alone = [None if d.report is None else _as_json(d.report) for d in report.documents]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            read = list(pool.map(lambda i: report.documents[i], range(len(texts))))
            assert [None if d.report is None else _as_json(d.report) for d in read] == alone


def test_a_checkpointed_scan_runs_in_a_worker_thread(tmp_path):
    import threading

    from dedup import CorpusScanner
    from dedup.corpus.checkpoint import Checkpoint
    from dedup.io.readers import Document

    found = []

    def run():
        try:
            checkpoint = Checkpoint(str(tmp_path / "ck"), {"k": 1})
            found.append(CorpusScanner(within=False).scan([Document("a", HARBOUR)], checkpoint=checkpoint))
        except Exception as err:  # noqa: BLE001 (what the thread raised is the test's finding)
            found.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert [d.id for d in found[0].documents] == ["a"]


def test_overlapping_scans_give_the_process_its_blas_threads_back():
    import threading

    from threadpoolctl import threadpool_info

    from dedup import CorpusScanner
    from dedup.io.readers import Document

    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    if not before or max(before) == 1:
        pytest.skip("BLAS runs one thread here already: nothing to give back")
    inside = {tag: threading.Event() for tag in "ab"}
    gates = {tag: threading.Event() for tag in "ab"}

    def documents(tag):
        yield Document(f"{tag}1", "The council approved the budget on Monday after a long debate.")
        inside[tag].set()
        gates[tag].wait()
        yield Document(f"{tag}2", "Heavy rain closed the coastal road for the second time this week.")

    scans = {tag: threading.Thread(target=lambda tag=tag: CorpusScanner().scan(documents(tag))) for tag in "ab"}
    scans["a"].start()
    assert inside["a"].wait(300)
    scans["b"].start()
    assert inside["b"].wait(300)
    gates["a"].set()
    scans["a"].join()
    gates["b"].set()
    scans["b"].join()
    assert min(blas()) == max(before)  # every BLAS library (scipy's may load during the scans) back to its threads
