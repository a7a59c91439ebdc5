"""Found by trying it, eleventh round. Each test failed before its fix."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *args, timeout: float = 300):
    """``code`` run by a fresh interpreter on this checkout; the timeout bounds a hang only."""
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


# 1. A scan hung at its end, now and then on a busy machine (6 runs of 40 of a test's small `-j` scan, under a CPU
#    hog): the pool's terminate() sent its workers SIGTERM and waited for them, and a worker that took the signal
#    just before it waited for the queue's lock (which terminate() holds) never ran its handler. The pool's end no
#    longer depends on a worker answering SIGTERM.

_STUCK = """
import os, signal, sys, time
from dedup.util.workers import Workers, usable_cores

PARENT = os.getpid()
READY = sys.argv[1]

def stuck_or_stop(signer, x):
    if os.getpid() != PARENT:  # a worker: as one whose SIGTERM handler never ran, it goes on
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        open(READY, "w").close()
        time.sleep(3600)
    while not os.path.exists(READY):  # this process: once a worker is in its task, the scan stops on an error
        time.sleep(0.01)
    raise RuntimeError("stopped")

if usable_cores() < 2:
    print("one core", flush=True); sys.exit(0)
try:
    with Workers(2, signer=1) as workers:
        list(workers.ordered(stuck_or_stop, [((k,), k) for k in range(6)]))
except RuntimeError as err:
    print("ended:", err, flush=True)
"""


def test_the_pool_ends_even_where_a_worker_misses_its_sigterm(tmp_path):
    done = _python(_STUCK, tmp_path / "ready")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("ended: stopped", "one core")


# 2. (an attacker) A page with a `<![` section the standard library's parser cannot read (`<![a b`) raised its
#    AssertionError through the reader: the scan, clean and index add stopped with a traceback, and the good
#    records of the batch were not reported, written or indexed.

def _run(*args):
    from click.testing import CliRunner

    from dedup.cli.main import main

    return CliRunner().invoke(main, [str(a) for a in args])


_GOOD = "The council approved the new budget on Tuesday after a long debate over road repairs."
_OTHER = "Police said the bridge on Main Street will close for repairs next month, officials said."


def test_a_page_with_a_marked_section_the_parser_cannot_read_is_read_as_a_browser_reads_it(tmp_path):
    import json

    (tmp_path / "good.txt").write_text(_GOOD + "\n")
    (tmp_path / "evil.html").write_text("<p>Ferries resume their summer timetable on Monday.</p><![a b\n")
    result = _run("scan", tmp_path / "good.txt", tmp_path / "evil.html", "-f", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads((tmp_path / "r.json").read_text())["documents"]] == [
        str(tmp_path / "good.txt"), str(tmp_path / "evil.html")]
    records = [{"id": "a", "text": _GOOD}, {"id": "evil", "text": "<p>Ferries resume on Monday.</p><![ x"},
               {"id": "b", "text": _OTHER}]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert _run("index", "add", tmp_path / "idx.db", tmp_path / "pages.jsonl").exit_code == 0
    from dedup import Index

    with Index(str(tmp_path / "idx.db")) as index:
        assert len(index) == 3


def test_a_page_whose_html_cannot_be_read_is_skipped_by_name_and_the_batch_goes_on(tmp_path, monkeypatch):
    import json

    import dedup.io.readers as readers

    convert = readers.html_to_text

    def parser_fault(html: str) -> str:  # a fault of the HTML parser's on one page's markup
        if "poison" in html:
            raise AssertionError("unknown status keyword")
        return convert(html)

    monkeypatch.setattr(readers, "html_to_text", parser_fault)
    records = [{"id": "a", "text": f"<p>{_GOOD}</p>"}, {"id": "bad", "text": "<p>poison</p>"},
               {"id": "b", "text": f"<p>{_OTHER}</p>"}]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = _run("scan", tmp_path / "pages.jsonl", "-f", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "pages.jsonl:2: its HTML could not be read (AssertionError: unknown status keyword)" in result.output
    assert [d["id"] for d in json.loads((tmp_path / "r.json").read_text())["documents"]] == ["a", "b"]


# 3. (an attacker) Two paragraphs of thousands of figures (a data table copied twice): the agreement of amounts
#    compared every figure with every other, 28 s for a 110 KB page, four times the time for twice the figures.
#    Each figure is now compared with those that could agree with it: the same pairs.

def test_amounts_compared_by_value_give_the_pairs_every_comparison_gives():
    import random

    from dedup.confirm.agreement import Claims, agreeing_pairs
    from dedup.text.quantities import Quantity, agree

    rng = random.Random(7)
    values = [0.0, -5.0, 1.0, 12.0, 30.0, 38e6, 4e7, 1e6, 1.5e6, 2e6, 0.52, 1170.0, 1200.0, 1230.0, float("inf")]

    def amount() -> Quantity:
        value = rng.choice(values) * rng.choice([1, 1, 1.004, 0.996, 1.1, 0.85, 1.3]) if rng.random() < 0.7 \
            else rng.uniform(-10, 5e7)
        return Quantity(value, rng.choice(["", "usd", "eur", "money", "share", "m", "h", "clock", "code"]),
                        rng.random() < 0.3, 0, 0, rng.choice(["", "", "", "over", "under"]))

    for size in (10, 80, 200):
        for _ in range(5):
            a = Claims(tuple(amount() for _ in range(size)))
            b = Claims(tuple(amount() for _ in range(size)))
            assert agreeing_pairs(a, b) == [(q, r) for q in a.amounts for r in b.amounts if agree(q, r)]


def test_two_tables_of_figures_compare_each_figure_with_those_near_it_only():
    """Counted in calls of ``agree``, not timed: every figure with every other was 2,000 x 2,000 calls at least."""
    import random

    import dedup.confirm.agreement as agreement
    from dedup import find_redundancy

    calls = [0]
    agree = agreement.agree

    def counted(q, r):
        calls[0] += 1
        return agree(q, r)

    def comparisons(n: int) -> int:
        rng = random.Random(3)
        figures = ", ".join(str(rng.randint(100, 99999)) for _ in range(n))
        calls[0] = 0
        find_redundancy(f"Figures for the year\n\nThe figures were {figures}.\n\nThe figures were {figures}.\n")
        return calls[0]

    agreement.agree = counted
    try:
        compared = comparisons(2000)
    finally:
        agreement.agree = agree
    assert 0 < compared < 0.02 * 2000 * 2000, compared


# 4. (an attacker) Two price tables of a few hundred rows ("ABCD closed at 12.50, +1.2%."): they share a short run
#    on nearly every diagonal, and difflib's recursion, replayed on those runs, read all of them again for each of
#    hundreds of blocks: a 42 KB page took two minutes, eight times the time for twice the rows.

def test_two_price_tables_read_their_common_runs_a_bounded_number_of_times(monkeypatch):
    import random
    import string

    import dedup.confirm.runs as runs
    from dedup import find_redundancy

    read = [0, 0, 0]  # runs read by the recursion, items of the sequences, runs they share
    clipped, blocks = runs._clipped, runs.matching_blocks

    def counting_clipped(inside, *args):
        read[0] += len(inside)
        return clipped(inside, *args)

    def counting_blocks(found, len_a, len_b, least=2):
        read[1] += len_a + len_b
        read[2] += len(found)
        return blocks(found, len_a, len_b, least)

    monkeypatch.setattr(runs, "_clipped", counting_clipped)
    monkeypatch.setattr("dedup.confirm.spans.matching_blocks", counting_blocks)
    rng = random.Random(2)
    tickers = ["".join(rng.choice(string.ascii_uppercase) for _ in range(4)) for _ in range(300)]

    def table() -> str:
        return " ".join(f"{t} closed at {rng.uniform(5, 500):.2f}, {rng.uniform(-5, 5):+.1f}%." for t in tickers)

    find_redundancy(f"Market close: stock prices\n\n{table()}\n\n{table()}\n")
    # 300 rows read about 60,000 runs per item before (over 200 million); now a few times each run and each item
    # (a region read is clipped twice)
    assert read[1] and read[0] < 2 * (16 * read[1] + 5 * read[2] + 4096), read


# 5. (an attacker) An index whose stored shingles were cut short (edited by hand, a disk fault): `index check` said
#    "ok", and `index query` blamed the page it checked, in numpy's words ("buffer size must be a multiple of
#    element size").

def test_a_cut_stored_blob_is_a_damaged_index_said_by_check_and_by_query(tmp_path):
    import sqlite3

    index = tmp_path / "idx.db"
    corpus = ROOT / "data" / "sample_corpus.jsonl"
    assert _run("index", "add", index, corpus, "--text-field", "body").exit_code == 0
    with sqlite3.connect(index) as db:
        db.execute("UPDATE docs SET shingles = x'0102' WHERE id = 'wire/vance-original'")
    checked = _run("index", "check", index)
    assert checked.exit_code == 1
    assert "1 documents whose stored shingles or term counts are missing, cut short or overlong" in checked.output
    page = ROOT / "data" / "vance_article.txt"
    queried = _run("index", "query", index, page, "-f", "json", "-o", tmp_path / "q.json")
    assert queried.exit_code != 0 and "Traceback" not in queried.output
    assert f"{index}: a damaged index (the stored shingles or term counts of 'wire/vance-original'" in queried.output
    assert str(page) not in queried.output


# 6. (an attacker) A run out of memory (a file of a million one-letter paragraphs under `ulimit -v`) ended with a
#    79-line traceback, where every other error is one line.

def test_running_out_of_memory_is_said_in_one_line(monkeypatch, capsys):
    import pytest

    import dedup.cli
    import dedup.cli.main
    from dedup.cli import run

    for setting_up in ("interrupt_on_termination", "notes_for_own_warnings"):  # this process's signals stay pytest's
        monkeypatch.setattr(dedup.cli, setting_up, lambda: None)

    def out_of_memory():
        raise MemoryError("Unable to allocate 16.0 MiB for an array with shape (32768, 64)")

    monkeypatch.setattr(dedup.cli.main, "main", out_of_memory)
    with pytest.raises(SystemExit) as ended:
        run()
    assert ended.value.code == 1
    said = capsys.readouterr().err
    assert said.startswith("dedup: error: out of memory") and said.count("\n") == 1


# 7. (an editor) `dedup clean` removed a paragraph that states a fact no kept paragraph does.

_FILLER = ["The announcement came after weeks of speculation in the local press and a series of closed meetings at "
           "the town hall.",
           "Residents who attended a public meeting on Monday evening said they had not been consulted about the plans "
           "at any stage.",
           "Officials said a full report would be published next month and that the public would be able to comment "
           "on it online."]


def _cleaned(tmp_path, first: str, later: str, *options) -> str:
    """``dedup clean``'s output of an article stating ``first`` and, three paragraphs on, ``later``."""
    article = "\n\n".join(["Officials respond to growing criticism over council plans", first, *_FILLER, later,
                           "Opposition councillors called for an independent review, saying the process had been "
                           "rushed and poorly explained to residents."]) + "\n"
    source = tmp_path / "article.txt"
    source.write_text(article)
    result = _run("clean", source, "-o", tmp_path / "out.txt", *options)
    assert result.exit_code == 0, result.output
    return (tmp_path / "out.txt").read_text()


def test_a_quotation_from_another_source_is_kept(tmp_path):
    """'...," police said' and '...," said police': the usual forms of news (only '..., police said' was read)."""
    quote = '"The car was travelling far too fast when it left the road near the school,"'
    for theirs, mine in [("police said.", "witnesses said."), ("said police.", "said witnesses."),
                         ("the chief executive said.", "the union\u2019s regional secretary said.")]:
        kept = _cleaned(tmp_path, f"{quote} {theirs}", f"{quote} {mine}")
        assert mine in kept, (theirs, mine)
    assert _cleaned(tmp_path, f"{quote} police said.", f"{quote} police said.").count(quote) == 1  # the same source


def test_a_word_that_turns_the_fact_is_kept(tmp_path):
    pairs = [("The appeal court upheld the ruling against the developer, ending a legal battle that lasted six years.",
              "overturned"),
             ("The package weighed 500 grams and was found in a locker at the central bus station by a cleaner.",
              "kilograms"),
             ("The plaintiff was ordered to pay the legal costs of the case after the judge criticised the evidence.",
              "defendant"),
             ("The council has banned overnight parking on the seafront during the summer months to ease congestion.",
              "allowed"),
             ("The bridge will be closed to northbound traffic for three weeks while engineers repair the supports.",
              "southbound"),
             ("Graham Pell, 58, from Guildford, denies 12 counts of fraud by abuse of his position at the charity.",
              "admits"),
             ("The victim, a woman in her forties, was taken to hospital with serious head injuries after the attack.",
              "died in"),
             ("The frog is about 2 centimetres long and has bright orange patches on its legs and a pale belly.",
              "millimetres")]
    turned = {"upheld": "overturned", "grams": "kilograms", "plaintiff": "defendant", "banned": "allowed",
              "northbound": "southbound", "denies": "admits", "was taken to": "died in", "centimetres": "millimetres"}
    for first, word in pairs:
        old = next(o for o, new in turned.items() if new == word and o in first.replace("The plaintiff", "plaintiff"))
        later = first.replace(old, word)
        assert later in _cleaned(tmp_path, first, later), later


def test_a_question_is_no_restatement_of_an_answer(tmp_path):
    interview = "\n\n".join([
        'Housing minister: "We cannot build our way out of this"',
        "Q: Landlord groups say a rent cap will push small landlords out of the market.",
        "A: I don't accept that. The evidence from other countries is mixed, and our cap is deliberately modest.",
        "Q: Will the 300,000 target be met in the first year?",
        "A: No. It will not be met in the first year, and probably not in the second. But by the end of this "
        "parliament we will reach it.",
        "Q: And if you don't?",
        "A: Then people should judge us on that."]) + "\n"
    (tmp_path / "qa.txt").write_text(interview)
    result = _run("clean", tmp_path / "qa.txt", "--confirm", "tfidf", "-o", tmp_path / "out.txt")
    assert result.exit_code == 0 and (tmp_path / "out.txt").read_text() == interview


def test_a_row_of_another_table_is_not_cut_as_a_restated_sentence(tmp_path):
    rows = {2021: [("Conservative", 23, 36.0), ("Liberal Alliance", 18, 30.1), ("Labour", 10, 19.4),
                   ("Greens", 5, 9.2), ("Independent", 2, 3.3)],
            2025: [("Liberal Alliance", 24, 38.2), ("Conservative", 19, 31.5), ("Labour", 9, 18.9),
                   ("Greens", 4, 8.1), ("Independent", 2, 3.3)]}
    tables = {year: f"Result in {year}\n" + "\n".join(f"{party} | {seats} seats | {share}% of the vote"
                                                     for party, seats, share in found)
              for year, found in rows.items()}
    article = "\n\n".join([
        "County council: how the seats changed",
        "Final results were declared on Friday morning. The tables below compare this year's result with the last.",
        tables[2021],
        "The Liberal Alliance gained six seats and will take control of the council for the first time since 1997.",
        tables[2025], "Turnout was 34.1 percent, down from 37.8 percent in 2021."]) + "\n"
    (tmp_path / "tables.txt").write_text(article)
    result = _run("clean", tmp_path / "tables.txt", "--sentences", "-o", tmp_path / "out.txt")
    assert result.exit_code == 0 and (tmp_path / "out.txt").read_text() == article


def test_a_json_lines_record_with_nothing_removed_is_written_as_it_came_in(tmp_path):
    import json

    record = json.dumps({"id": "a", "text": "Caf\u00e9 owners welcome new rules\n\nThe council will allow caf\u00e9s "
                                             "to put tables out from May.\n\nOwners said it was overdue."})
    assert "\\u00e9" in record
    (tmp_path / "in.jsonl").write_text(record + "\n")
    assert _run("clean", tmp_path / "in.jsonl", "-o", tmp_path / "out.jsonl").exit_code == 0
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "in.jsonl").read_bytes()


# 8. (the round's reviewer, on the fixes above) A first budget of the shared-span search, counted per word alone,
#    cut lists of 70 rows and more (cheap pairs) to a few spans; a quoted question attributed before in one sentence
#    and after in the other, "lifted its ban" and "allowed again", were kept as new facts; on Redis, `index check`
#    passed an index whose stored shingles were cut short (and a missing field was blamed on the page checked).

def test_the_common_blocks_of_two_long_lists_are_difflibs():
    import random
    from difflib import SequenceMatcher

    from dedup.confirm.runs import matching_blocks, runs_of_pair
    from dedup.text.words import words

    teams = ["Arsenal", "Chelsea", "Liverpool", "Everton", "Fulham", "Brentford", "Burnley", "Watford", "Leeds",
             "Wolves"]

    def table(seed: int, rows: int) -> list[str]:
        rng = random.Random(seed)
        lines = []
        for i in range(rows):
            won, drew = rng.randint(5, 25), rng.randint(3, 12)
            lines.append(f"In {2000 + i // 10} {teams[i % 10]} played 38 games, won {won}, drew {drew}, lost "
                         f"{38 - won - drew} and finished with {3 * won + drew} points")
        return [w.lower() for w in words("\n".join(lines))]

    for rows in (70, 200):
        a, b = table(1, rows), table(2, rows)
        ids = {w: k for k, w in enumerate(dict.fromkeys(a + b))}
        a_ids, b_ids = [ids[w] for w in a], [ids[w] for w in b]
        expected = [tuple(m) for m in SequenceMatcher(None, a_ids, b_ids, autojunk=False).get_matching_blocks()
                    if m.size >= 2]
        assert matching_blocks(runs_of_pair(a_ids, b_ids), len(a), len(b)) == expected


def test_a_question_quoted_before_or_after_its_speaker_is_one_question():
    from dedup.text.facts import says_more

    asked = 'At the meeting, union leader Maria Lopez asked the managers: "Will the Sunderland plant close?"'
    again = '"Will the Sunderland plant close?" union leader Maria Lopez asked the managers at the meeting.'
    assert not says_more(again, asked, asked)
    assert not says_more("The senator asked whether the plan was legal.", 'The senator asked: "Is the plan legal?"',
                         'The senator asked: "Is the plan legal?"')
    assert says_more("Q: And if you don't?", "A: I don't accept that.", "A: I don't accept that.")


def test_a_ban_lifted_is_exports_allowed():
    from dedup.text.facts import says_more

    lifted = "The government on Tuesday lifted its ban on rice exports."
    assert not says_more("Rice exports are permitted again from Tuesday.", lifted, lifted)
    assert says_more("Rice exports are banned again from Tuesday.", "Rice exports are allowed from Tuesday.",
                     "Rice exports are allowed from Tuesday.")


def test_a_redis_index_with_a_cut_or_missing_stored_blob_fails_its_check(redis_url, tmp_path):
    import redis

    location = f"{redis_url}?prefix=cut"
    for i in (1, 2):
        (tmp_path / f"d{i}.txt").write_text(f"The river flooded the valley town again this spring, farmers said. {i}\n"
                                            * 20)
    assert _run("index", "add", location, tmp_path / "d1.txt", tmp_path / "d2.txt").exit_code == 0
    assert _run("index", "check", location).exit_code == 0
    client = redis.Redis.from_url(redis_url)
    rows = {client.hget(k, "id"): k for k in client.scan_iter("cut:doc:*")}
    damaged = rows[str(tmp_path / "d1.txt").encode()]
    client.hset(damaged, "shingles", client.hget(damaged, "shingles")[:-2])
    checked = _run("index", "check", location)
    assert checked.exit_code == 1 and "1 documents whose stored shingles or term counts are missing" in checked.output
    client.hdel(damaged, "shingles")
    assert _run("index", "check", location).exit_code == 1
    (tmp_path / "copy.txt").write_text((tmp_path / "d1.txt").read_text())
    queried = _run("index", "query", location, tmp_path / "copy.txt", "-f", "json", "-o", tmp_path / "q.json")
    assert "a damaged index (the stored shingles or term counts of" in queried.output
    assert "NoneType" not in queried.output


def test_a_request_is_no_question():
    """"asked customers to raise their thermostats" restates "urged customers to set them higher": no question."""
    from dedup.text.facts import says_more

    asked = "The electricity company asked customers to set thermostats a few degrees higher."
    assert not says_more("Power company officials urged customers to raise their thermostats by a few degrees.",
                         asked, asked)
