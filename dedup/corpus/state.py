"""What pass one of a corpus scan keeps: ids, where to re-read each text, signatures, the paragraph index,
IDF counts, restatement reports and what was skipped. Pass two (``confirm_pass``) and checkpoints read it."""

from __future__ import annotations

import array
import itertools
from typing import Iterator, Sequence

import numpy as np

from dedup.confirm.idf import HashedIdf
from dedup.corpus.kept_arrays import REUSE_ARRAYS, SIGNED_ARRAYS
from dedup.corpus.pass_one import SignedBatch
from dedup.corpus.report_spool import ReportSpool
from dedup.io.fingerprint import text_check
from dedup.io.readers import Document, InputError, reread
from dedup.reuse.search import Seeds
from dedup.util.allocator import release_freed
from dedup.util.arrays import distinct


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
        # Per document read from a file: ``text_check`` of its text as read, so that a re-read can tell it is the
        # same (an input rewritten in place between the passes keeps its offsets); -1 where unknown.
        self.text_checks = array.array("q")
        self.idf = HashedIdf(n_features)
        self._signatures, self._sizes, self._lengths, self._paragraphs = [], [], [], []
        self._restate: list[np.ndarray] = []  # per document: 1 where a headline or amounts may restate
        self.reports = ReportSpool(spool_path)
        # Paragraph nodes: one per distinct paragraph shingle set (verbatim copies share one).
        self.node_of: dict[int, int] = {}
        self.n_nodes = 0
        self._node_keys: list[np.ndarray] = []
        self._occurrences: list[np.ndarray] = []  # (node, doc, paragraph, content tokens) rows
        # The reuse search's seeds (``reuse.search.Seeds``), numbered across the corpus.
        self._reuse_words: list[np.ndarray] = []
        self._reuse_unit_words: list[np.ndarray] = []
        self._reuse_unit_doc: list[np.ndarray] = []
        self._reuse_copy_keys: list[np.ndarray] = []
        self._reuse_copy_doc: list[np.ndarray] = []
        self._reuse_unit_forms: list[np.ndarray] = []
        self._reuse_copy_units: list[np.ndarray] = []

    def add(self, doc: Document, date: float | None = None) -> None:
        index = len(self.ids)
        self.dates.append(float("nan") if date is None else date)
        self.index[doc.id] = index
        self.ids.append(doc.id)
        if doc.path is None:
            self.kept_texts[index] = doc.text
            self.path_of.append(-1)
            self.text_checks.append(-1)
        else:
            self.text_checks.append(text_check(doc.text))
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
        self._restate.append(batch.restate)
        self.idf.add_counts(batch.buckets, len(batch.sizes))
        if batch.reuse is not None:
            seeds = batch.reuse
            self._reuse_words.append(seeds.words)
            self._reuse_unit_words.append(seeds.unit_words)
            self._reuse_unit_doc.append(first_doc + seeds.unit_doc)
            self._reuse_copy_keys.append(seeds.copy_keys)
            self._reuse_copy_doc.append((first_doc + seeds.copy_doc).astype(np.int32))
            self._reuse_unit_forms.append(seeds.unit_forms)
            self._reuse_copy_units.append(seeds.copy_units)
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

    def texts(self, docs: list[int], text_field: str, fmt: str, failed: set[int]) -> Iterator[tuple[int, str]]:
        """``(doc, text)`` for each of ``docs`` that can be read again: texts kept from stdin first, then
        each file's in file order. A file that changed or vanished since pass one adds its documents to
        ``failed`` (those already given too: their file could not be read whole), and so does a text read back
        other than pass one read it (a record rewritten in place)."""
        by_location: dict[tuple[str, int], list[int]] = {}
        for doc in docs:
            where = self.location(doc)
            if where is None:
                yield doc, self.kept_texts[doc]
            else:
                by_location.setdefault(where, []).append(doc)
        per_path: dict[str, list[tuple[str, int]]] = {}
        for where in by_location:
            per_path.setdefault(where[0], []).append(where)
        for path, locations in per_path.items():
            try:
                for where, text in reread(locations, *self.reading(path, text_field, fmt)):
                    check = text_check(text)
                    for doc in by_location[where]:
                        if self.text_checks[doc] in (-1, check):
                            yield doc, text
                        else:
                            failed.add(doc)
            except (InputError, OSError, ValueError, KeyError, EOFError):
                failed.update(d for where in locations for d in by_location[where])

    def finish(self) -> None:
        """Turn the per-batch lists into arrays (after pass one).

        Each list is replaced by its one joined array as soon as that is made, so the parts of one array,
        not of all of them, are held twice at a time (joining every list first doubled pass one's memory
        for a moment: 740 MB more on 100,000 documents of 1,200 words)."""
        num = self._signatures[0].shape[1] if self._signatures else 1
        empty = {"signatures": np.zeros((0, num), np.uint32), "sizes": np.zeros(0, np.int32),
                 "paragraphs": np.zeros(0, np.int32), "lengths": np.zeros(0, np.int32),
                 "node_keys": np.zeros((0, 1), np.uint64), "occurrences": np.zeros((0, 4), np.int64),
                 "restate": np.zeros(0, np.uint8),
                 **{name: np.zeros(0, dtype) for name, dtype in REUSE_ARRAYS.items()}}
        # Later batches still append to the lists (a checkpoint can finish the state mid-scan).
        for name in (*SIGNED_ARRAYS, *REUSE_ARRAYS):
            parts = getattr(self, "_" + name)
            joined = (parts[0] if len(parts) == 1 else np.concatenate(parts)) if parts else empty[name]
            parts.clear()  # the batches' arrays go before the next list is joined
            parts.append(joined)
            setattr(self, name, joined)
            release_freed()  # ... and their memory with them, or the process keeps both copies as its peak

    def reuse_seeds(self) -> Seeds:
        """The reuse search's seeds of every document (after ``finish``)."""
        return Seeds(words=self.reuse_words, unit_words=self.reuse_unit_words, unit_doc=self.reuse_unit_doc,
                     copy_keys=self.reuse_copy_keys, copy_doc=self.reuse_copy_doc, unit_forms=self.reuse_unit_forms,
                     copy_units=self.reuse_copy_units)

    def release_reuse_seeds(self, fields: Sequence[str] | None = None) -> None:
        """Let the reuse seeds go (after ``finish``, once pass two has their candidates), or only those ``fields``
        of ``Seeds``."""
        for name, dtype in REUSE_ARRAYS.items():
            if fields is not None and name.removeprefix("reuse_") not in fields:
                continue
            getattr(self, "_" + name).clear()
            setattr(self, name, np.zeros(0, dtype))
        release_freed()

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
