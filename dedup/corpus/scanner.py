"""Scan a corpus: near-duplicate documents, passages reused across documents,
and restatements inside each document.

Pass one streams the input once: each batch of documents is tokenized,
signed (one-permutation MinHash), and reduced to band keys, paragraph
fingerprints and token document frequencies; texts are dropped. LSH then
proposes candidate pairs, and pass two re-reads only the documents that
take part in one, to confirm each pair on exact shingle sets and TF-IDF
cosine under the corpus IDF (``confirm_pass``).
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import threading
import time
from typing import Callable, Iterable, Iterator, Literal

import numpy as np

from dedup.article.detector import Detector
from dedup.cluster.keep import DEFAULT as DEFAULT_KEEP
from dedup.cluster.keep import check_rule, document_date
from dedup.corpus.checkpoint import Checkpoint
from dedup.corpus.pass_one import BatchSigner
from dedup.corpus.pass_two import PassTwoSettings, confirm_corpus
from dedup.corpus.state import CorpusState
from dedup.io.readers import Document, InputError
from dedup.io.skips import MAX_LISTED
from dedup.records import CorpusReport
from dedup.reuse.search import ReuseSearch
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.shingle import MAX_K
from dedup.text.tokens import TokenTable
from dedup.util.progress import Progress
from dedup.util.validate import (
    check_bool,
    check_callable,
    check_fraction,
    check_int,
    check_iterable,
    check_str,
    lone_surrogate,
    refuses_two_values,
    text_problem,
)
from dedup.util.workers import Workers

_RENAMED = {"threshold": "jaccard_threshold", "passage_threshold": "passage_cosine_threshold"}


class CorpusScanner:
    """Find near-duplicate documents and reused passages in a corpus.

    Parameters
    ----------
    k : int, default=3
        Content words per document shingle (stop words dropped, light stemming).
    paragraph_k : int, default=2
        Content words per paragraph shingle, for passages reused across documents.
    num_perm : int, default=128
        Signature length (one-permutation hashing bins).
    seed : int, default=1
        Hashing seed.
    jaccard_threshold : float, default=0.8
        Two documents are near-duplicates when their exact shingle Jaccard
        or containment (share of the smaller one's shingles in the larger)
        reaches this value ...
    cosine_threshold : float, default=0.5
        ... and the TF-IDF reranker agrees: their cosine under the corpus IDF
        reaches this value. A copy cut to a quarter of the original still
        passes (cosine about 0.5); a one-line quote of a long article does not.
    lsh_threshold : float, default=0.3
        Jaccard similarity the document bands are tuned to; low enough that a
        copy cut in half (Jaccard 0.5) becomes a candidate 99% of the time.
    passage_cosine_threshold : float, default=0.7
        TF-IDF cosine that confirms two paragraphs of different documents as
        the same passage.
    passage_lsh_threshold : float, default=0.4
        Jaccard similarity the paragraph bands are tuned to.
    min_passage_words : int, default=8
        Paragraphs with fewer content words are matched only verbatim.
    boilerplate_docs : int, default=5
        A passage found in at least this many documents, each near-duplicate cluster counted once, is flagged
        boilerplate.
    within : bool, default=True
        Find restatements inside each document (``dedup scan --within``, the default): the slowest step
        of a scan; ``False`` skips it.
    detector : Detector, None or "default", default="default"
        What finds them: "default" is ``Detector()``; None skips the step as ``within=False`` does.
    jobs : int, default=1
        Processes for both passes: this one and ``jobs - 1`` workers (tokenizing, signing,
        restatements, re-read candidates, paragraph LSH). One per core; capped at the cores this
        process may use, and started only for work there is (``dedup.util.workers.worker_count``).
    batch_size : int, default=512
        Documents per batch handed to numpy (and to a worker); at most 32 in pass one when the
        ``detector`` runs, since its search (about 26 ms a document), not numpy, is then the cost ...
    batch_chars : int, default=2**20
        ... or fewer, so a batch holds at most about this many characters and
        scratch memory does not grow with document length.
    n_features : int, default=2**20
        Token hash buckets for the corpus IDF.
    keep : {"longest", "first", "earliest"}, default="longest"
        Which copy represents a near-duplicate cluster (and is what ``dedup clean`` keeps; each cluster
        says so in ``Cluster.kept_by``): the longest (most content words), the first in input order, or
        the earliest dated (``Document.date``, else the record's ``date_field``, else the file's mtime;
        undated copies after dated ones); ties go to the first in input order. ``longest`` is the
        default because it is the one rule that never keeps a truncated copy whatever the input order
        (``first`` keeps whichever file name sorts first), it needs no dates (copying a file resets its
        mtime), the copy it keeps holds all of the others' text, and earlier releases chose so.
        Choose ``earliest`` or ``first`` when the input says which copy is the original (see ``dedup.cluster.keep``).
    date_field : str, default="date"
        The JSON Lines field holding a record's date (ISO 8601) for ``keep="earliest"``.
    reuse : bool or ReuseSearch, default=True
        Find passages reused (copied, edited or restated) between documents that are not near-duplicates
        of each other, located to the character (``CorpusReport.reuse``): True uses ``ReuseSearch()``.

    ``threshold`` and ``passage_threshold``, the old names of ``jaccard_threshold`` and
    ``passage_cosine_threshold``, still work for one release, with a ``DeprecationWarning``.
    """

    @refuses_two_values(_RENAMED)
    def __init__(self, k: int = 3, paragraph_k: int = 2, num_perm: int = 128, seed: int = 1,
                 jaccard_threshold: float = 0.8, cosine_threshold: float = 0.5, lsh_threshold: float = 0.3,
                 passage_cosine_threshold: float = 0.7, passage_lsh_threshold: float = 0.4, min_passage_words: int = 8,
                 boilerplate_docs: int = 5, detector: Detector | None | Literal["default"] = "default", jobs: int = 1,
                 batch_size: int = 512, n_features: int = 1 << 20, batch_chars: int = 1 << 20,
                 keep: str = DEFAULT_KEEP, date_field: str = "date", reuse: bool | ReuseSearch = True,
                 within: bool = True) -> None:
        check_bool("within", within)
        # Checked here, under this class's names, before the parts they are handed to.
        for name, value in (("jaccard_threshold", jaccard_threshold), ("cosine_threshold", cosine_threshold),
                            ("passage_cosine_threshold", passage_cosine_threshold), ("lsh_threshold", lsh_threshold),
                            ("passage_lsh_threshold", passage_lsh_threshold)):
            check_fraction(name, value)
        for name, value, low in (("jobs", jobs, 1),
                                 ("batch_size", batch_size, 1), ("boilerplate_docs", boilerplate_docs, 2),
                                 ("batch_chars", batch_chars, 1), ("n_features", n_features, 1), ("seed", seed, 0),
                                 ("min_passage_words", min_passage_words, 1)):
            check_int(name, value, low)
        check_int("num_perm", num_perm, 2, 4096)
        check_int("k", k, 1, MAX_K)
        check_int("paragraph_k", paragraph_k, 1, MAX_K)
        self.keep, self.date_field = check_rule(keep), check_str("date_field", date_field)
        self.k, self.paragraph_k, self.num_perm, self.seed = k, paragraph_k, num_perm, seed
        self.jaccard_threshold, self.cosine_threshold = jaccard_threshold, cosine_threshold
        self.passage_cosine_threshold, self.min_passage_words = passage_cosine_threshold, min_passage_words
        self.boilerplate_docs = boilerplate_docs
        if not within:
            detector = None
        elif isinstance(detector, str) and detector == "default":
            detector = Detector()
        elif detector is not None and not isinstance(detector, Detector):
            raise ValueError(f'detector must be a Detector, None or "default", got {detector!r}')
        self.detector = detector
        self.jobs, self.batch_size, self.n_features = jobs, batch_size, n_features
        self.signing_batch = batch_size
        self.batch_chars = batch_chars
        self.lsh = LSHBanding(threshold=lsh_threshold, num_perm=num_perm)
        self.paragraph_lsh = LSHBanding(threshold=passage_lsh_threshold, num_perm=num_perm)
        self.table = TokenTable()
        if reuse is True:
            reuse = ReuseSearch()
        elif reuse is not False and not isinstance(reuse, ReuseSearch):
            raise ValueError(f"reuse must be True, False or a ReuseSearch, got {reuse!r}")
        self.reuse = reuse or None
        self.signer = BatchSigner(k, paragraph_k, num_perm, seed, self.paragraph_lsh, n_features, self.table,
                                  None if detector is None else detector.detect, self.reuse,
                                  0 if detector is None else detector.confirmer.min_shared_words)

    def pass_two_settings(self) -> PassTwoSettings:
        """The settings pass two works with (it takes these, not the scanner)."""
        return PassTwoSettings(
            jaccard_threshold=self.jaccard_threshold, cosine_threshold=self.cosine_threshold,
            passage_cosine_threshold=self.passage_cosine_threshold, min_passage_words=self.min_passage_words,
            boilerplate_docs=self.boilerplate_docs, keep=self.keep, lsh=self.lsh, paragraph_lsh=self.paragraph_lsh,
            signer=self.signer, batch_size=self.batch_size, batch_chars=self.batch_chars)

    def params(self) -> dict:
        """The scan's parameters as the JSON report's ``params`` holds them (their first names: a contract)."""
        return {
            "k": self.k, "paragraph_k": self.paragraph_k, "num_perm": self.num_perm, "seed": self.seed,
            "scheme": "oph", "bands": self.lsh.bands, "rows": self.lsh.rows,
            # The report's keys keep their first names (the JSON is a stable contract): see docs/output.md.
            "threshold": self.jaccard_threshold,
            "cosine_threshold": self.cosine_threshold, "passage_threshold": self.passage_cosine_threshold,
            "paragraph_bands": self.paragraph_lsh.bands, "paragraph_rows": self.paragraph_lsh.rows,
            "min_passage_words": self.min_passage_words, "boilerplate_docs": self.boilerplate_docs,
            "within": None if self.detector is None else self.detector.params(),
            "reuse": None if self.reuse is None else self.reuse.params(),
            "keep": self.keep, **({"date_field": self.date_field} if self.keep == "earliest" else {}),
        }

    def scan(self, items: Iterable[Document | InputError], on_error: Callable[[InputError], None] | None = None,
             progress: Progress | None = None, text_field: str = "text", fmt: str = "auto",
             checkpoint: Checkpoint | None = None) -> CorpusReport:
        """Scan documents (``InputError`` items are passed to ``on_error`` and skipped, and so is a document
        with no text to scan: the readers' rule, ``dedup.util.validate.text_problem``).

        With a ``checkpoint``, pass one resumes from it (the same ``items`` are given again and
        the ones already read are skipped) and saves to it as it goes; SIGINT then saves and
        raises ``ScanInterrupted`` instead of losing the work.

        Candidates are re-read for confirmation the way ``read_documents`` read them (each
        ``Document`` says so); ``text_field`` and ``fmt`` apply to documents that do not say
        (made by hand with a ``path``).

        Parameters
        ----------
        items : iterable of Document or InputError
            What ``dedup.io.readers.read_documents`` yields, or ``Document``s made by hand. Another item, or
            an id that is not a string, raises ``TypeError`` naming its position (a bug, not bad data).
        on_error : callable, optional
            Called with each ``InputError`` (a file or record that could not be read, a repeated or empty id, a
            document whose text is not a string, is empty, has no words or holds a lone surrogate); it is
            skipped, and counted in ``stats["skipped"]`` (also without ``on_error``).
        progress : Progress, optional
            Told how far the scan has got (the CLI's progress bar).
        text_field : str, default="text"
        fmt : {"auto", "text", "html"}, default="auto"
        checkpoint : Checkpoint, optional

        Returns
        -------
        CorpusReport
            ``documents`` (each with its near-duplicate cluster and restatements), ``clusters``,
            ``passages``, ``reuse`` and ``stats`` (``skipped``: how many items were skipped).
        """
        # No malloc tuning here: a library call must not change its host process's allocator settings
        # (the ``dedup`` command, which owns its process, does: ``allocator.reuse_freed_memory``).
        check_iterable("items", items)
        check_callable("on_error", on_error)
        try:
            return self._scan(items, on_error, progress, text_field, fmt, checkpoint)
        finally:
            if checkpoint is not None and not checkpoint.held:  # the scan is over: another may use the folder
                checkpoint.release()

    def _scan(self, items, on_error, progress, text_field, fmt, checkpoint) -> CorpusReport:
        started = time.perf_counter()
        state = CorpusState(self.n_features, None if checkpoint is None else str(checkpoint.reports_path))
        done = 0
        if checkpoint is not None:
            done = checkpoint.load(state)
            unlisted = len(state.skipped_at) - len(state.skipped)
            for error in itertools.chain(state.skipped, itertools.repeat(_UNLISTED, unlisted)):
                if on_error is not None:
                    on_error(error)
            items = _after_checkpoint(items, done, state)  # read already: skipped, not signed again
        stop = _InterruptFlag() if checkpoint is not None else None
        with Workers(self.jobs, self.signer) as workers:  # one pool for both passes
            saved = consumed = done
            with stop or contextlib.nullcontext():
                batches = self._batches(items, state, on_error, progress, done)
                for consumed, batch in workers.ordered(BatchSigner.__call__, batches):
                    state.absorb(batch)
                    if checkpoint is not None and (stop.raised or checkpoint.due()):
                        checkpoint.save(state, consumed)
                        saved = consumed
                        if stop.raised:
                            raise ScanInterrupted(consumed, len(state.signatures))
                if checkpoint is not None and consumed != saved:  # pass one whole: Ctrl-C in pass two resumes here
                    checkpoint.save(state, consumed)
            if stop is not None and stop.raised:  # after the last batch's look, during the last save: saved now
                raise ScanInterrupted(consumed, len(state.signatures))  # (it was dropped, and pass two ran on)
            signed = time.perf_counter()
            try:
                report = confirm_corpus(self.pass_two_settings(), state, text_field, fmt, workers, progress)
            except KeyboardInterrupt:
                if checkpoint is None:
                    raise
                raise ScanInterrupted(consumed, len(state.signatures)) from None
        if self.keep == "earliest":  # said, so that an absent or misspelled date field does not go unnoticed
            report.stats["undated_documents"] = int(np.isnan(np.frombuffer(state.dates, np.float64)).sum())
        report.stats.update(documents=len(state.ids), skipped=len(state.skipped_at),
                            seconds_pass_one=round(signed - started, 3),
                            seconds_total=round(time.perf_counter() - started, 3))
        if progress is not None:
            progress.close()
        return report

    def _batches(self, items, state: "CorpusState", on_error, progress,
                 done: int = 0) -> Iterator[tuple[tuple[list[str]], int]]:
        """Batches of texts (as ``Workers.ordered`` arguments), each with the number of input items read
        once it is complete."""
        texts: list[str] = []
        chars = 0
        for position, item in enumerate(items, start=done):
            error = item if isinstance(item, InputError) else _unscannable(item, position, state.index)
            if error is not None:
                if on_error is not None:
                    on_error(error)
                if len(state.skipped) < MAX_LISTED:  # every skip counted, the first ones kept
                    state.skipped.append(error)
                state.skipped_at.append(position)
                continue
            # Dated as it is read (a file's mtime then, a record's field while the record is at hand).
            state.add(item, document_date(item, self.date_field) if self.keep == "earliest" else None)
            texts.append(item.text)
            chars += len(item.text)
            if progress is not None:
                progress.update(1, len(item.text))
            if len(texts) >= self.signing_batch or chars >= self.batch_chars:
                yield (texts,), position + 1
                texts, chars = [], 0
        if texts:
            yield (texts,), position + 1


def _unscannable(item, position: int, index: dict) -> InputError | None:
    """Why the document ``item`` is skipped (a repeated or empty id, an id with a lone surrogate, or no text to scan:
    ``text_problem``, the readers' rule), or None. Bad text is bad data, skipped and said as the readers
    skip a bad record; an item that is no ``Document`` at all, or an id that is no string, is a caller's
    bug: ``TypeError``."""
    if not isinstance(item, Document):
        raise TypeError(f"scan: items[{position}] is a {type(item).__name__}, not a Document or InputError "
                        f"(make one with dedup.io.readers.Document(id, text)): {item!r:.60}")
    if not isinstance(item.id, str):
        raise TypeError(f"scan: items[{position}].id must be a string, got {type(item.id).__name__} {item.id!r:.60}")
    if item.id in index:
        first = f"(first seen as document {index[item.id] + 1})"  # a record is named where it was read, as on Spark
        return InputError(item.where, f"duplicate id {item.id!r} {first}") if item.where \
            else InputError(item.id, f"duplicate id {first}")
    if not item.id.strip():  # no name to report it by, nor to tell two of them apart (the readers never make one)
        return InputError(item.where or f"items[{position}]", f"empty id {item.id!r}: name the document")
    at = lone_surrogate(item.id)
    if at is not None:  # the reports could not be written; the readers' ids never hold one (``shown_path``)
        return InputError(item.id, f"id holds a lone surrogate {item.id[at]!r}: not valid Unicode text")
    problem = text_problem(item.text)
    return None if problem is None else InputError(item.id, f"text {problem}")


def _after_checkpoint(items, done: int, state: CorpusState):
    """The items past the ``done`` a checkpoint read. A document made in memory (no ``path`` to read it again
    from) among those keeps its text, as when it was first read: pass two may align it (a resumed scan of
    such documents ended in a KeyError where it did)."""
    items = iter(items)
    for item in itertools.islice(items, done):
        if isinstance(item, Document) and item.path is None and item.id in state.index:
            state.kept_texts.setdefault(state.index[item.id], item.text)  # a repeated id: its first
    return items


# Stands for each skipped input a checkpoint counted but did not list (past MAX_LISTED).
_UNLISTED = InputError("(not listed)", "skipped before the checkpoint")


class ScanInterrupted(Exception):
    """SIGINT during a scan with a checkpoint: the state was saved; run the same scan again to go on."""

    def __init__(self, consumed: int, documents: int) -> None:
        super().__init__(f"interrupted after {consumed} inputs ({documents} documents signed)")
        self.consumed, self.documents = consumed, documents


class _InterruptFlag:
    """SIGINT sets a flag (checked between batches) instead of raising in the middle of one."""

    def __enter__(self) -> "_InterruptFlag":
        self.raised = False
        # Python sets signal handlers in the main thread only: a scan in a worker thread goes on without one.
        self._previous = None if threading.current_thread() is not threading.main_thread() else \
            signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        # Ctrl-C the process was started ignoring (a shell's background job, ``nohup``) stays ignored, as without
        # --checkpoint; SIGTERM and SIGHUP, handed here by ``dedup.cli``, still stop the scan.
        self.raised = self.raised or not (signum == signal.SIGINT and self._previous is signal.SIG_IGN)

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
