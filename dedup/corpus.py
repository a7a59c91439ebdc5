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

import array
import contextlib
import itertools
import signal
import time
from typing import Callable, Iterable, Iterator, Literal

import numpy as np

from .arrays import distinct
from .batch import BatchSigner, SignedBatch
from .checkpoint import Checkpoint
from .confirm_pass import confirm_corpus
from .detector import Detector
from .idf import HashedIdf
from .keep import DEFAULT as DEFAULT_KEEP
from .keep import check_rule, document_date
from .lsh import LSHBanding
from .progress import Progress
from .readers import Document, InputError
from .records import CorpusReport
from .skips import MAX_LISTED
from .spool import ReportSpool
from .tokens import TokenTable
from .validate import check_fraction, check_int
from .workers import Workers

# Documents per pass-one batch when restatements are searched: a batch of 512 was over ten seconds of
# work, so a 1,000-document scan was two batches, both queued to the worker, and --jobs 2 gained nothing.
_WITHIN_BATCH = 32


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
    threshold : float, default=0.8
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
    passage_threshold : float, default=0.7
        TF-IDF cosine that confirms two paragraphs of different documents as
        the same passage.
    passage_lsh_threshold : float, default=0.4
        Jaccard similarity the paragraph bands are tuned to.
    min_passage_words : int, default=8
        Paragraphs with fewer content words are matched only verbatim.
    boilerplate_docs : int, default=5
        A passage found in at least this many documents is flagged boilerplate.
    detector : Detector, None or "default", default="default"
        Finds restatements inside each document: "default" is ``Detector()``
        (as ``dedup scan`` without ``--no-within``); None skips that step,
        the slowest of a scan.
    jobs : int, default=1
        Processes for both passes: this one and ``jobs - 1`` workers (tokenizing, signing,
        restatements, re-read candidates, paragraph LSH). One per core.
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
        Choose ``earliest`` or ``first`` when the input says which copy is the original (see ``dedup.keep``).
    date_field : str, default="date"
        The JSON Lines field holding a record's date (ISO 8601) for ``keep="earliest"``.
    """

    def __init__(self, k: int = 3, paragraph_k: int = 2, num_perm: int = 128, seed: int = 1,
                 threshold: float = 0.8, cosine_threshold: float = 0.5, lsh_threshold: float = 0.3,
                 passage_threshold: float = 0.7, passage_lsh_threshold: float = 0.4, min_passage_words: int = 8,
                 boilerplate_docs: int = 5, detector: Detector | None | Literal["default"] = "default", jobs: int = 1,
                 batch_size: int = 512, n_features: int = 1 << 20, batch_chars: int = 1 << 20,
                 keep: str = DEFAULT_KEEP, date_field: str = "date") -> None:
        # Checked here, under this class's names, before the parts they are handed to.
        for name, value in (("threshold", threshold), ("cosine_threshold", cosine_threshold),
                            ("passage_threshold", passage_threshold), ("lsh_threshold", lsh_threshold),
                            ("passage_lsh_threshold", passage_lsh_threshold)):
            check_fraction(name, value)
        for name, value, low in (("k", k, 1), ("paragraph_k", paragraph_k, 1), ("jobs", jobs, 1),
                                 ("batch_size", batch_size, 1), ("boilerplate_docs", boilerplate_docs, 2),
                                 ("min_passage_words", min_passage_words, 1)):
            check_int(name, value, low)
        check_int("num_perm", num_perm, 2, 4096)
        self.keep, self.date_field = check_rule(keep), date_field
        self.k, self.paragraph_k, self.num_perm, self.seed = k, paragraph_k, num_perm, seed
        self.threshold, self.cosine_threshold = threshold, cosine_threshold
        self.passage_threshold, self.min_passage_words = passage_threshold, min_passage_words
        self.boilerplate_docs = boilerplate_docs
        if isinstance(detector, str) and detector == "default":
            detector = Detector()
        elif detector is not None and not isinstance(detector, Detector):
            raise ValueError(f'detector must be a Detector, None or "default", got {detector!r}')
        self.detector = detector
        self.jobs, self.batch_size, self.n_features = jobs, batch_size, n_features
        self.signing_batch = batch_size if detector is None else min(batch_size, _WITHIN_BATCH)
        self.batch_chars = max(int(batch_chars), 1)
        self.lsh = LSHBanding(threshold=lsh_threshold, num_perm=num_perm)
        self.paragraph_lsh = LSHBanding(threshold=passage_lsh_threshold, num_perm=num_perm)
        self.table = TokenTable()
        self.signer = BatchSigner(k, paragraph_k, num_perm, seed, self.paragraph_lsh, n_features, self.table,
                                  detector)

    def params(self) -> dict:
        return {
            "k": self.k, "paragraph_k": self.paragraph_k, "num_perm": self.num_perm, "seed": self.seed,
            "scheme": "oph", "bands": self.lsh.bands, "rows": self.lsh.rows, "threshold": self.threshold,
            "cosine_threshold": self.cosine_threshold, "passage_threshold": self.passage_threshold,
            "paragraph_bands": self.paragraph_lsh.bands, "paragraph_rows": self.paragraph_lsh.rows,
            "min_passage_words": self.min_passage_words, "boilerplate_docs": self.boilerplate_docs,
            "within": None if self.detector is None else self.detector.params(),
            "keep": self.keep, **({"date_field": self.date_field} if self.keep == "earliest" else {}),
        }

    def scan(self, items: Iterable[Document | InputError], on_error: Callable[[InputError], None] | None = None,
             progress: Progress | None = None, text_field: str = "text", fmt: str = "auto",
             checkpoint: Checkpoint | None = None) -> CorpusReport:
        """Scan documents (``InputError`` items are passed to ``on_error`` and skipped).

        With a ``checkpoint``, pass one resumes from it (the same ``items`` are given again and
        the ones already read are skipped) and saves to it as it goes; SIGINT then saves and
        raises ``ScanInterrupted`` instead of losing the work.

        Candidates are re-read for confirmation the way ``read_documents`` read them (each
        ``Document`` says so); ``text_field`` and ``fmt`` apply to documents that do not say
        (made by hand with a ``path``).
        """
        # No malloc tuning here: a library call must not change its host process's allocator settings
        # (the ``dedup`` command, which owns its process, does: ``allocator.reuse_freed_memory``).
        return self._scan(items, on_error, progress, text_field, fmt, checkpoint)

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
            items = itertools.islice(items, done, None)  # read already: skipped, not signed again
        stop = _InterruptFlag() if checkpoint is not None else None
        with Workers(self.jobs, self.signer) as workers:  # one pool for both passes
            with stop or contextlib.nullcontext():
                batches = self._batches(items, state, on_error, progress, done)
                for consumed, batch in workers.ordered(BatchSigner.__call__, batches):
                    state.absorb(batch)
                    if checkpoint is not None and (stop.raised or checkpoint.due()):
                        checkpoint.save(state, consumed)
                        if stop.raised:
                            raise ScanInterrupted(consumed, len(state.signatures))
            signed = time.perf_counter()
            report = confirm_corpus(self, state, text_field, fmt, workers)
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
            if isinstance(item, InputError) or item.id in state.index:
                error = item if isinstance(item, InputError) else InputError(
                    item.id, f"duplicate id (first seen as document {state.index[item.id] + 1})")
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
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.raised = True

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self._previous)


class CorpusState:
    """Everything pass one keeps: ids, where to re-read each text, signatures, paragraph index, IDF counts."""

    def __init__(self, n_features: int, spool_path: str | None = None) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.paths: list[str] = []
        self.readings: list[tuple[str | None, str | None]] = []  # per path: (text_field, fmt) it was read with
        self._path_index: dict[str, int] = {}
        self.path_of: list[int] = []
        self.offsets: list[int] = []
        self.kept_texts: dict[int, str] = {}  # stdin: cannot be read twice
        self.skipped: list[InputError] = []  # the first MAX_LISTED skipped inputs
        self.skipped_at = array.array("q")  # the input item each skip was, for all of them
        self.capped: list[int] = []  # documents whose restatement search hit the detector's candidate cap
        self.dates = array.array("d")  # per document, for keep="earliest": epoch seconds, NaN when undated
        self.idf = HashedIdf(n_features)
        self._signatures, self._sizes, self._lengths, self._paragraphs = [], [], [], []
        self.reports = ReportSpool(spool_path)
        # Paragraph nodes: one per distinct paragraph shingle set (verbatim copies share one).
        self.node_of: dict[int, int] = {}
        self.n_nodes = 0
        self._node_keys: list[np.ndarray] = []
        self._occurrences: list[np.ndarray] = []  # (node, doc, paragraph, content tokens) rows

    def add(self, doc: Document, date: float | None = None) -> None:
        index = len(self.ids)
        self.dates.append(float("nan") if date is None else date)
        self.index[doc.id] = index
        self.ids.append(doc.id)
        if doc.path is None:
            self.kept_texts[index] = doc.text
            self.path_of.append(-1)
        else:
            self.path_of.append(self._path_index.setdefault(doc.path, len(self._path_index)))
            if len(self._path_index) > len(self.paths):
                self.paths.append(doc.path)
                self.readings.append((doc.text_field, doc.fmt))
        self.offsets.append(doc.offset)

    def absorb(self, batch: SignedBatch) -> None:
        first_doc = sum(len(s) for s in self._signatures)
        self._signatures.append(batch.signatures)
        self._sizes.append(batch.sizes)
        self._lengths.append(batch.lengths)
        self._paragraphs.append(batch.paragraphs)
        self.idf.add_counts(batch.buckets, len(batch.sizes))
        for i, report in batch.reports.items():
            self.reports.add(first_doc + i, report)
            if report.candidates_dropped:
                self.capped.append(first_doc + i)
        docs = first_doc + np.repeat(np.arange(len(batch.paragraphs)), batch.paragraphs)
        numbers = np.arange(len(docs)) - np.repeat(np.cumsum(batch.paragraphs) - batch.paragraphs, batch.paragraphs)
        nodes, new = self._nodes(batch.fingerprints)
        self._node_keys.append(batch.paragraph_keys[new])
        # Token counts are kept per occurrence: copies with one shingle set can differ in length (a repeated
        # phrase), and what a node is must not depend on which copy came first.
        tokens = np.where(batch.fingerprints != 0, batch.paragraph_tokens, 0)
        self._occurrences.append(np.stack((nodes, docs, numbers, tokens), axis=1))

    def _nodes(self, fingerprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The node of each paragraph, numbering new ones in order of first sight, and the positions of
        the paragraphs that introduced a new node. An empty paragraph (fingerprint 0) is a node of its own."""
        fps = fingerprints.tolist()
        nodes = np.fromiter(map(self.node_of.get, fps, itertools.repeat(-1)), np.int64, len(fps))
        unseen = np.flatnonzero(nodes < 0)
        if not len(unseen):
            return nodes, unseen
        keys = fingerprints[unseen].copy()
        empty = keys == 0
        keys[empty] = np.arange(int(empty.sum()), dtype=np.uint64) * np.uint64(2)  # fingerprints are odd
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first)  # distinct new paragraphs in order of first sight
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        nodes[unseen] = self.n_nodes + rank[inverse]
        new = unseen[first[order]]
        named = fingerprints[new] != 0
        self.node_of.update(zip(fingerprints[new][named].tolist(),
                                (self.n_nodes + np.flatnonzero(named)).tolist()))
        self.n_nodes += len(new)
        return nodes, new

    def reading(self, path: str, text_field: str, fmt: str) -> tuple[str, str]:
        """How the documents of ``path`` were read: their own (text_field, fmt), else the ones given."""
        own_field, own_fmt = self.readings[self._path_index[path]]
        return own_field or text_field, own_fmt or fmt

    def location(self, doc: int) -> tuple[str, int] | None:
        path = self.path_of[doc]
        return None if path < 0 else (self.paths[path], self.offsets[doc])

    def finish(self) -> None:
        """Turn the per-batch lists into arrays (after pass one)."""
        num = self._signatures[0].shape[1] if self._signatures else 1
        self.signatures = np.concatenate(self._signatures) if self._signatures else np.zeros((0, num), np.uint32)
        self.sizes = np.concatenate(self._sizes) if self._sizes else np.zeros(0, np.int32)
        self.paragraphs = np.concatenate(self._paragraphs) if self._paragraphs else np.zeros(0, np.int32)
        self.lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int32)
        self.node_keys = np.concatenate(self._node_keys) if self._node_keys else np.zeros((0, 1), np.uint64)
        self.occurrences = np.concatenate(self._occurrences) if self._occurrences else np.zeros((0, 4), np.int64)
        # Each list now holds its one joined array (no second copy), so a checkpoint can finish the
        # state mid-scan and later batches still append.
        for name in ("signatures", "sizes", "lengths", "paragraphs", "node_keys", "occurrences"):
            setattr(self, "_" + name, [getattr(self, name)])

    def node_summary(self) -> tuple[np.ndarray, np.ndarray]:
        """Per paragraph node (after ``finish``): its token count and the (doc, paragraph) occurrence whose text
        stands for it. Both are chosen without regard to input order: the longest occurrence, and among
        equally long ones the smallest (document id, paragraph number)."""
        occ = self.occurrences
        if not len(occ):
            return np.zeros(0, np.int64), np.zeros((0, 2), np.int64)
        docs = distinct(occ[:, 1])
        rank = np.zeros(len(self.ids), dtype=np.int64)
        rank[docs[np.argsort(np.array([self.ids[d] for d in docs.tolist()], dtype=object), kind="stable")]] = \
            np.arange(len(docs))
        rows = occ[np.lexsort((occ[:, 2], rank[occ[:, 1]], -occ[:, 3], occ[:, 0]))]
        starts = np.flatnonzero(np.r_[True, rows[1:, 0] != rows[:-1, 0]])
        return rows[starts, 3], rows[starts, 1:3]
