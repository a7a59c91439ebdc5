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

    read = [0, 0]  # runs read by the recursion, items of the sequences
    clipped, blocks = runs._clipped, runs.matching_blocks

    def counting_clipped(inside, *args):
        read[0] += len(inside)
        return clipped(inside, *args)

    def counting_blocks(found, len_a, len_b, least=2):
        read[1] += len_a + len_b
        return blocks(found, len_a, len_b, least)

    monkeypatch.setattr(runs, "_clipped", counting_clipped)
    monkeypatch.setattr("dedup.confirm.spans.matching_blocks", counting_blocks)
    rng = random.Random(2)
    tickers = ["".join(rng.choice(string.ascii_uppercase) for _ in range(4)) for _ in range(300)]

    def table() -> str:
        return " ".join(f"{t} closed at {rng.uniform(5, 500):.2f}, {rng.uniform(-5, 5):+.1f}%." for t in tickers)

    find_redundancy(f"Market close: stock prices\n\n{table()}\n\n{table()}\n")
    assert read[1] and read[0] < 40 * read[1], read  # 300 rows read about 60,000 runs per item before
