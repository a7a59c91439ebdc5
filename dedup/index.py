"""A persistent, incremental near-duplicate index: an embedded SQLite file, or Redis.

Scrapers check each new page as it arrives::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)
        if verdict.duplicates: ...

The store (``storage``: SQLite, the default, or Redis) holds, per document,
its exact shingle set and hashed term counts, its LSH band keys, and per
paragraph a fingerprint, band keys, term counts and a 200-character snippet;
corpus document frequencies are one array. Nothing is pickled. Parameters are
stored at creation; opening with different ones is an error. This module
signs and scores; the store keeps and looks up.
"""

from __future__ import annotations

import threading
import time
import warnings
from typing import Callable, Iterable, Mapping

import numpy as np

from .arrays import distinct
from .batch import BatchSigner, Tokenized, paragraphs_of
from .confirm_pass import SNIPPET
from .detector import Detector
from .html import as_text
from .idf import HashedIdf
from .keep import DEFAULT as DEFAULT_KEEP
from .keep import DateLike, check_rule, preferred, timestamp
from .lsh import LSHBanding
from .readers import Document
from .records import DocumentMatch
from .storage import (MAX_PARAGRAPHS, IndexFileError, IndexLocationError,  # noqa: F401 (errors re-exported)
                      IndexReadOnlyError, IndexStoreError, IndexUnavailableError, IndexWriteError, NewDocuments,
                      mask_location, open_store)
from .tokens import TokenTable
from .validate import check_bool, check_fraction, check_int, check_str
from .verdicts import (MAX_LISTED, PassageMatch, Verdict, listed, term_blobs, term_cosine,  # noqa: F401 (re-exported)
                       term_total)

DEFAULTS = {"k": 3, "paragraph_k": 2, "num_perm": 128, "seed": 1, "lsh_threshold": 0.3,
            "paragraph_lsh_threshold": 0.4, "n_features": 1 << 20, "stop_words": True, "stem": True}
OnSkip = Callable[[str, str], None]  # (document id, why it was not added)


class IndexSkipWarning(UserWarning):
    """A document ``add_many`` did not add (empty, or too many paragraphs), when no ``on_skip`` was given."""


def check_signature_params(params: Mapping) -> None:
    """The stored parameters, each checked as ``CorpusScanner`` and the parts it hands them to check them."""
    for name in ("k", "paragraph_k"):
        check_int(name, params[name], 1)
    check_int("num_perm", params["num_perm"], 2, 4096)
    check_int("seed", params["seed"], 0, 2**32 - 1)
    for name in ("lsh_threshold", "paragraph_lsh_threshold"):
        check_fraction(name, params[name])
    check_int("n_features", params["n_features"], 16, 1 << 26)
    for name in ("stop_words", "stem"):
        check_bool(name, params[name])


class Index:
    """Near-duplicate documents and reused passages against everything added so far.

    Parameters
    ----------
    location : str
        Where the index lives: a SQLite file (``news.db`` or
        ``sqlite:///news.db``; created if missing; several processes may write
        at once) or a Redis database (``redis://host:6379/0?prefix=news``,
        needs ``dedup[redis]``; for scrapers spread over machines). Both give
        the same results on the same input.
    threshold, cosine_threshold, passage_threshold, min_passage_words :
        As in ``CorpusScanner``; they apply at query time and are not stored.
    batch_size : int, default=512
        Documents per transaction in ``add_many``.
    within : bool, default=True
        Whether ``check`` also finds the text's own restated paragraphs.
    detector : Detector, optional
        The detector for those (default: ``Detector()``).
    read_only : bool, optional
        True opens a SQLite index read-only (SQLite's ``mode=ro``: nothing is
        written, adds raise ``IndexReadOnlyError``); None (the default) does
        so exactly when the file or its folder is not writable.
    keep : {"longest", "first", "earliest"}, default="longest"
        The rule (as ``CorpusScanner``'s) by which ``check`` says whether the new text should replace
        the indexed copies it duplicates (``Verdict.preferred``); the index itself keeps what was added
        first. ``longest``: the text has more content words than each of them (from the term counts the
        index holds); ``first``: never; ``earliest``: its ``date`` is earlier than each of theirs (the
        ``date`` given when they were added, else when they were added: the existing ``added`` column,
        no new storage).
    **params :
        Signature parameters (``DEFAULTS``: k, paragraph_k, num_perm, seed,
        lsh_threshold, paragraph_lsh_threshold, n_features, stop_words, stem).
        Stored when the file is created; giving a different value for an
        existing file raises.

    Every parameter is checked (``ValueError`` naming it) before the store is
    touched, so a refused one creates no file and changes none. Store
    failures raise ``IndexStoreError`` subclasses (``IndexFileError``,
    ``IndexLocationError``, ``IndexUnavailableError``, ``IndexWriteError``,
    ``IndexReadOnlyError``) with a one-line message that never shows a password.

    Threads: one ``Index`` may be shared by threads. Its methods take a lock
    around their use of the store (SQLite's connection is opened with
    ``check_same_thread=False`` for that), so calls run one at a time, and
    ``add_many`` lets other threads in between its batches. For parallel
    signing use processes, each with its own ``Index``: several may write to
    one file or Redis database at once.
    """

    def __init__(self, location: str, threshold: float = 0.8, cosine_threshold: float = 0.5,
                 passage_threshold: float = 0.7, min_passage_words: int = 8, batch_size: int = 512,
                 within: bool = True, detector: Detector | None = None, read_only: bool | None = None,
                 keep: str = DEFAULT_KEEP, **params) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown index parameter(s): {', '.join(sorted(unknown))}")
        # Every parameter is checked before the store is touched: a refused one leaves no file and no change.
        check_str("location", location)
        for name, value in (("threshold", threshold), ("cosine_threshold", cosine_threshold),
                            ("passage_threshold", passage_threshold)):
            check_fraction(name, value)
        check_int("min_passage_words", min_passage_words, 1)
        check_int("batch_size", batch_size, 1)
        check_bool("within", within)
        if detector is not None and not isinstance(detector, Detector):
            raise ValueError(f"detector must be a Detector or None, got {detector!r}")
        if read_only is not None:
            check_bool("read_only", read_only)
        check_signature_params({**DEFAULTS, **params})
        self.keep = check_rule(keep)
        self.path = mask_location(location)
        self.threshold, self.cosine_threshold = threshold, cosine_threshold
        self.passage_threshold, self.min_passage_words = passage_threshold, min_passage_words
        self.batch_size = batch_size
        self.detector = (detector or Detector()) if within else None
        self._lock = threading.RLock()
        self.store = open_store(location, read_only=read_only)
        try:
            self.params = self.store.open(params, DEFAULTS)
            try:
                check_signature_params(self.params)
            except (KeyError, TypeError, ValueError) as err:  # written by hand, or by a dedup that did not check
                raise IndexFileError(f"{self.path}: the index holds an invalid parameter ({err})") from None
        except BaseException:
            self.store.close()
            raise
        p = self.params
        self.lsh = LSHBanding(threshold=p["lsh_threshold"], num_perm=p["num_perm"])
        self.paragraph_lsh = LSHBanding(threshold=p["paragraph_lsh_threshold"], num_perm=p["num_perm"])
        self.signer = BatchSigner(p["k"], p["paragraph_k"], p["num_perm"], p["seed"], self.paragraph_lsh,
                                  p["n_features"], TokenTable(p["stop_words"], p["stem"]), None)
        self.idf = HashedIdf(p["n_features"])
        self._counts = None
        with self._lock:
            try:
                self._refresh_idf()
            except BaseException:
                self.store.close()
                raise

    @property
    def read_only(self) -> bool:
        """Whether the index was opened read-only (``read_only=True``, or a read-only SQLite file or folder)."""
        return bool(getattr(self.store, "read_only", False))

    def _refresh_idf(self) -> None:
        """Take the store's document frequencies when they changed (this or another process added)."""
        counts = self.store.idf_counts()
        if counts is not self._counts:
            df, n_docs = counts
            short = self.idf.n_features - df.size  # a fresh store has no counts yet
            self.idf.load(np.pad(df, (0, short)) if short > 0 else df, n_docs)
            self._counts = counts

    def close(self) -> None:
        with self._lock:
            self.store.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            return self.store.count()

    def __contains__(self, doc_id: str) -> bool:
        with self._lock:
            return self.store.row_of(check_str("doc_id", doc_id)) is not None

    # -- adding -------------------------------------------------------------

    def add(self, doc_id: str, text: str, fmt: str = "auto", date: DateLike = None) -> bool:
        """Add one document (plain text or HTML, see ``check``); False when its id is already indexed.

        ``date`` (ISO 8601 string, date, datetime or epoch seconds) is kept as the document's date for
        ``keep="earliest"``; without one, the time it is added stands for it.

        Raises ``TypeError`` / ``ValueError`` naming the argument for a missing id or text, an empty text,
        or one of more than ``MAX_PARAGRAPHS`` paragraphs (nothing is stored then).
        """
        text = _checked_text(doc_id, text, fmt)
        _checked_date(date)
        skipped: list[str] = []
        added = self.add_many([Document(doc_id, text, date=date)], on_skip=lambda _, why: skipped.append(why))
        if skipped:
            raise ValueError(f"text: {skipped[0]}")
        return added == 1

    def add_many(self, documents: Iterable[Document], on_skip: OnSkip | None = None) -> int:
        """Add documents, one atomic step every ``batch_size``; returns how many were new.

        Adds are idempotent by id: a document whose id is indexed (by this
        or another process, even one racing this one) is skipped. A document
        the index cannot hold (an empty text, more than ``MAX_PARAGRAPHS``
        paragraphs) is skipped and the rest added: ``on_skip(id, reason)`` is
        called for it (without ``on_skip``, an ``IndexSkipWarning``). An id or
        text that is not a string raises ``TypeError``.

        A store failure raises its ``IndexStoreError`` subclass saying how many
        documents this call added before it (also as ``err.added``): each batch
        is stored whole or not at all, and adding the same input again adds
        only what is missing.
        """
        skip = on_skip or _warn_skipped
        added, batch = 0, []
        try:
            for doc in documents:
                check_str("document id", doc.id)
                check_str(f"text of document {doc.id!r}", doc.text, blank=True)
                if not doc.text.strip():
                    skip(doc.id, "the text is empty or only whitespace")
                    continue
                batch.append(doc)
                if len(batch) >= self.batch_size:
                    added += self._add_batch(batch, skip)
                    batch = []
            return added + (self._add_batch(batch, skip) if batch else 0)
        except IndexStoreError as err:
            failure = type(err)(f"{err}; {added} documents were added before the failure (a batch is stored "
                                "whole or not at all; adding the same input again adds only what is missing)")
            failure.added = added
            raise failure from err

    def _add_batch(self, docs: list[Document], skip: OnSkip) -> int:
        unique = list({d.id: d for d in docs}.values())
        with self._lock:
            if self.read_only:
                raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; nothing was written")
            present = self.store.present([d.id for d in unique])
            new, paragraphs = [], []
            for doc in unique:
                if doc.id in present:
                    continue
                parts = paragraphs_of(doc.text)
                if len(parts) > MAX_PARAGRAPHS:  # its paragraph references would not fit (``storage.PACK``)
                    skip(doc.id, f"{len(parts):,} paragraphs; an index holds at most {MAX_PARAGRAPHS:,} per "
                                 "document (split it)")
                    continue
                new.append(doc)
                paragraphs.append(parts)
            if not new:
                return 0
            # The store skips ids another process added since ``present``.
            added = self.store.insert(self._signed(new, paragraphs))
            self._refresh_idf()
            return added

    def _signed(self, docs: list[Document], paragraphs: list[list[str]]) -> NewDocuments:
        texts = [d.text for d in docs]
        tokenized = self.signer.tokenize_paragraphs(paragraphs)
        signed = self.signer.sign(texts, tokenized)
        doc_sets = self.signer.document_sets(tokenized)
        by_document = tokenized.by_document()
        owner = np.repeat(np.arange(len(docs)), tokenized.counts)
        numbers = np.arange(len(owner)) - np.repeat(np.cumsum(tokenized.counts) - tokenized.counts, tokenized.counts)
        buckets = self.idf.buckets(by_document)
        pairs = distinct(by_document.owner() * self.idf.n_features + buckets)
        return NewDocuments(
            ids=[d.id for d in docs], paragraphs=np.asarray(tokenized.counts, dtype=np.int64),
            shingles=[doc_sets.get(i).astype("<u4").tobytes() for i in range(len(docs))],
            terms=term_blobs(self.idf, by_document),
            band_keys=self.lsh.band_keys(signed.signatures).view(np.int64), banded=signed.sizes > 0,
            para_owner=owner, para_number=numbers, para_fingerprint=signed.fingerprints.view(np.int64),
            para_terms=term_blobs(self.idf, tokenized.tokens),
            para_snippets=[p[:SNIPPET] for ps in tokenized.paragraphs for p in ps],
            para_keys=signed.paragraph_keys.view(np.int64),
            para_banded=np.diff(tokenized.tokens.offsets) >= self.min_passage_words,
            df_owner=pairs // self.idf.n_features, df_bucket=pairs % self.idf.n_features,
            dates=[timestamp(d.date) for d in docs],
        )

    # -- asking -------------------------------------------------------------

    def check(self, doc_id: str, text: str, add: bool = False, fmt: str = "auto", date: DateLike = None) -> Verdict:
        """Which indexed documents ``text`` near-duplicates, which of their passages it reuses, and
        which of its own paragraphs restate each other.

        ``text`` is plain text or HTML (``fmt="html"``, or sniffed with ``"auto"``: the page's main
        text is extracted, one paragraph per block). With ``add=True`` the text is then added under
        ``doc_id`` (unless that id is already indexed). An indexed document with the same id is not
        compared with itself. ``Verdict.preferred`` says whether the text should replace the duplicates
        under ``keep``; ``date`` is the text's date for ``keep="earliest"`` (without one: now), kept with
        it when it is added.
        """
        started = time.perf_counter()
        text = _checked_text(doc_id, text, fmt)
        check_bool("add", add)
        _checked_date(date)
        paragraphs = paragraphs_of(text)
        if add and len(paragraphs) > MAX_PARAGRAPHS:
            raise ValueError(f"text: {len(paragraphs):,} paragraphs; an index holds at most {MAX_PARAGRAPHS:,} "
                             "per document (split it, or check it without add=True)")
        with self._lock:
            if add and self.read_only:
                raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; check it without add=True")
            self._refresh_idf()
            texts = [text]
            tokenized = self.signer.tokenize_paragraphs([paragraphs])
            signed = self.signer.sign(texts, tokenized)
            own = self.store.row_of(doc_id)
            own_row = -1 if own is None else own
            verdict = Verdict(id=doc_id, text=text, kept_by=self.keep)
            if self.detector is not None:
                verdict.restated = self.detector.detect(text, doc_id)
            if signed.sizes[0] > 0:
                verdict.duplicates, rows = self._duplicates(doc_id, tokenized, signed, own_row)
                verdict.preferred = self._preferred(tokenized, date, rows)
            verdict.passages = self._passages(tokenized, signed, own_row, {m.b for m in verdict.duplicates})
            if add and own is None:
                verdict.added = self.add(doc_id, text, fmt="text", date=date)
        verdict.seconds = time.perf_counter() - started
        return verdict

    def _duplicates(self, doc_id: str, tokenized: Tokenized, signed,
                    own_row: int) -> tuple[list[DocumentMatch], list[tuple[int, int]]]:
        """The matches, and the (row, length) of each matched document."""
        rows = self.store.documents_in_bands([int(k) for k in self.lsh.band_keys(signed.signatures).view(np.int64)[0]])
        mine = self.signer.document_sets(tokenized).get(0)
        my_terms = term_blobs(self.idf, tokenized.by_document())[0]
        idf = self.idf.idf()
        found = []
        for row, other_id, shingles, terms in rows:
            if row == own_row:
                continue
            theirs = np.frombuffer(shingles, dtype="<u4")
            shared = len(np.intersect1d(mine, theirs, assume_unique=True))
            union = len(mine) + len(theirs) - shared
            jaccard = shared / union if union else 0.0
            containment = shared / max(min(len(mine), len(theirs)), 1)
            cosine = term_cosine(my_terms, terms, idf)
            if max(jaccard, containment) >= self.threshold and cosine >= self.cosine_threshold:
                found.append((row, DocumentMatch(doc_id, other_id, round(jaccard, 4), round(containment, 4),
                                                 round(cosine, 4)), term_total(terms)))
        # Best first (an exact copy before a fragment it contains: Jaccard breaks ties of containment);
        # then in the order documents were added, so the original comes before its copies.
        found.sort(key=lambda item: (-max(item[1].jaccard, item[1].containment), -item[1].jaccard, item[0]))
        return [match for _, match, _ in found], [(row, length) for row, _, length in found]

    def _preferred(self, tokenized: Tokenized, date: DateLike, rows: list[tuple[int, int]]) -> bool:
        """Whether the text beats every duplicate (``rows``: (row, length)) under ``keep``."""
        if self.keep == "first" or not rows:  # the indexed copies came first: no need to look
            return False
        length = term_total(term_blobs(self.idf, tokenized.by_document())[0])
        if self.keep == "longest":
            return preferred("longest", length, None, [(n, None) for _, n in rows])
        # An undated text is dated now, as it would be stored: later than everything added before.
        mine = timestamp(date)
        added = self.store.added_of([row for row, _ in rows])
        return preferred("earliest", length, time.time() if mine is None else mine,
                         [(n, added.get(row)) for row, n in rows])

    def _passages(self, tokenized: Tokenized, signed, own_row: int, skip: set[str]) -> list[PassageMatch]:
        sizes = np.diff(tokenized.tokens.offsets)
        my_terms = term_blobs(self.idf, tokenized.tokens)
        idf = self.idf.idf()
        keys = signed.paragraph_keys.view(np.int64)
        found: dict[tuple[int, str, int], PassageMatch] = {}
        for p in range(len(sizes)):
            fingerprint = int(signed.fingerprints[p].view(np.int64))
            rows = self.store.paragraphs_with_fingerprint(fingerprint)
            if sizes[p] >= self.min_passage_words:
                rows += self.store.paragraphs_in_bands([int(k) for k in keys[p]])
            for row, other_id, number, terms, snippet, their_fp in rows:
                if row == own_row or other_id in skip or (p, other_id, number) in found:
                    continue
                cosine = 1.0 if their_fp == fingerprint and fingerprint else term_cosine(my_terms[p], terms, idf)
                if cosine >= self.passage_threshold:
                    found[(p, other_id, number)] = PassageMatch(p, other_id, number, round(cosine, 4), snippet)
        return listed(found.values())

    def verify(self) -> list[str]:
        """Integrity problems of the store (empty when consistent); see ``dedup index check``."""
        with self._lock:
            return self.store.verify()

    def stats(self) -> dict:
        """Counts, parameters and store facts (no password: a Redis URL's is masked)."""
        with self._lock:
            return {**self.store.stats(), "params": self.params, "bands": self.lsh.bands, "rows": self.lsh.rows}


def _checked_text(doc_id, text, fmt: str) -> str:
    """The text to index for ``doc_id``, after ``check_str`` of both; a ``ValueError`` for an empty one."""
    check_str("doc_id", doc_id)
    check_str("text", text)
    text = as_text(text, fmt)
    if not text.strip():
        raise ValueError(f"text: {doc_id!r} has no text once its markup is removed")
    return text


def _checked_date(date: DateLike) -> None:
    """A ``date`` given but unreadable raises ``ValueError`` (rather than silently standing for now)."""
    if date is not None and timestamp(date) is None:
        raise ValueError(f"date: {date!r} is not an ISO 8601 date or datetime, a date, or epoch seconds")


def _warn_skipped(doc_id: str, reason: str) -> None:
    warnings.warn(f"{doc_id}: not added: {reason}", IndexSkipWarning, stacklevel=4)
