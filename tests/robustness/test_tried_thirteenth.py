"""Found by trying it, thirteenth round (2026-12-07, fifth session): an operations engineer running the library in
long-lived processes, and a reviewer of the library's promises. Each test fails on the commit before its fix."""

from __future__ import annotations

import queue
import threading
from types import SimpleNamespace

import pytest

from dedup.util import workers


class _Lock:
    """A queue lock as ``_end_workers`` sees it, held by someone else: the pool's own task thread (which lets it
    go when waited for: it is sending one small message) or a dead worker (never)."""

    def __init__(self, holder: str) -> None:
        self.holder, self.released_under = holder, []

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        if self.holder == "task thread" and block:
            self.holder = None  # it finished its message: the lock is free, and ours
        if self.holder is None:
            self.holder = "us"
            return True
        return False

    def release(self) -> None:
        if self.holder not in ("us", "dead worker"):
            self.released_under.append(self.holder)  # released under a live thread: it releases it again later
        self.holder = None


def _pool(read: _Lock, write: _Lock) -> SimpleNamespace:
    handler = threading.Thread(target=lambda: None)
    handler.start()
    return SimpleNamespace(_worker_handler=handler, _change_notifier=queue.SimpleQueue(), _pool=[],
                           _inqueue=SimpleNamespace(_rlock=read), _outqueue=SimpleNamespace(_wlock=write))


@pytest.mark.parametrize("holder", ["task thread", "dead worker", None])
def test_the_end_of_a_pool_never_releases_a_lock_a_live_thread_holds(holder):
    """The pool's task thread takes the result queue's write lock to send its last message just as the pool is
    ended: ``_end_workers`` released it under that thread, which released it again ("semaphore or lock released
    too many times" from ``scan()``, or a thread's traceback, in about 1 of 170 ``jobs=2`` scans)."""
    read, write = _Lock("dead worker"), _Lock(holder)
    workers._end_workers(_pool(read, write))
    assert write.released_under == [] and write.holder is None  # free for ``terminate``
    assert read.released_under == [] and read.holder is None  # an idle worker's, killed: freed


def test_a_copy_is_not_stretched_over_its_source_restating_it_further_down():
    """A text copying five paragraphs of a news story word for word, when the story restates two of their
    sentences further down: one ``edited`` record whose span in the story ran 800 characters past the copy, over
    paragraphs never copied, each of those sentences aligned with its copy and its restatement."""
    from pathlib import Path

    from dedup import align_texts

    dev = Path(__file__).resolve().parents[2] / "data" / "dev"
    story = (dev / "agriculture_drought_aid.txt").read_text(encoding="utf-8")
    other = (dev / "agriculture_harvest_prices.txt").read_text(encoding="utf-8").split("\n\n")
    copied = story.split("\n\n")[2:7]
    text = "\n\n".join(other[:4] + copied + other[4:8])
    start = story.index(copied[0])
    found = align_texts(text, story, "text", "story")
    assert [(r.kind, story[slice(*r.b_span)]) for r in found] == [("verbatim", story[start:start + len(
        "\n\n".join(copied))])]
    assert all(pair.a == pair.b for pair in found[0].sentences)


def test_read_documents_takes_one_path_as_a_list_of_it(tmp_path):
    """``read_documents("corpus.jsonl")`` read the string as a list of one-character paths: "/" among them, so it
    walked the machine's every file into documents."""
    from dedup.io.readers import read_documents

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "One paragraph about the harbour."}\n', encoding="utf-8")
    for given in (str(corpus), corpus, [corpus]):
        assert [(d.id, d.text) for d in read_documents(given)] == [("a", "One paragraph about the harbour.")]
    with pytest.raises(TypeError, match="paths must be a path or a list of paths"):
        read_documents(b"/")


@pytest.mark.parametrize("name, value, error", [
    ("max_bytes", "64MiB", "max_bytes must be an integer >= 1"), ("max_bytes", 0, "max_bytes must be an integer"),
    ("max_bytes", True, "max_bytes must be an integer"), ("max_bytes", float("nan"), "max_bytes must be an integer"),
    ("fmt", "xml", "fmt must be one of"), ("text_field", 5, "text_field must be a string"), ("fmt", None, "fmt must"),
    ("id_field", None, "id_field must be a string")])
def test_read_documents_checks_its_arguments_at_the_call(tmp_path, name, value, error):
    """They were checked at the first record read, or not at all: ``max_bytes="64MiB"`` raised a ``TypeError``
    from inside the reader, ``max_bytes=0`` turned every record into an error, ``text_field=5`` skipped them all."""
    from dedup.io.readers import read_documents

    with pytest.raises((TypeError, ValueError), match=error):
        read_documents([str(tmp_path)], **{name: value})


def test_an_id_given_by_position_and_by_keyword_is_refused():
    """``detect(text, "pos", doc_id="kw")`` kept "pos" and dropped the keyword the user wrote."""
    from dedup import Detector, find_redundancy

    text = "One paragraph about the harbour.\n\nAnother about the weather in spring."
    for call in (lambda: find_redundancy(text, "pos", doc_id="kw"), lambda: Detector().detect(text, "pos", doc_id="kw")):
        with pytest.raises(TypeError, match="multiple values for argument 'doc_id'"):
            call()


def test_find_redundancys_old_parameter_names_warn_at_the_callers_line():
    """The warning was said of dedup's own line (``Detector`` built inside ``find_redundancy``), where Python's
    default filters hide a ``DeprecationWarning``: a script never saw that its names go in the next release."""
    import warnings

    from dedup import find_redundancy

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        find_redundancy("One paragraph about the harbour.\n\nAnother about the weather.", threshold=0.5)
    assert [(w.category, w.filename) for w in said if "is now called" in str(w.message)] == [
        (DeprecationWarning, __file__)]


def test_a_shingler_refuses_one_string_for_its_sentences():
    """``Shingler().shingle("one sentence")`` shingled each of its characters as a sentence."""
    from dedup.sketch.shingle import Shingler

    with pytest.raises(TypeError, match="got one string"):
        Shingler().shingle("one sentence")
