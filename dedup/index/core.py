"""A persistent, incremental near-duplicate index: an embedded SQLite file, or Redis.

Scrapers check each new page as it arrives::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)
        if verdict.duplicates: ...

The store (``storage``: SQLite, the default, or Redis) holds, per document, its exact shingle set and hashed
term counts, its LSH band keys, and per paragraph a fingerprint, band keys, term counts and a 200-character
snippet, and for the reuse search its text and reuse keys; corpus document frequencies are one array. Nothing
is pickled. Parameters are stored at creation; opening with different ones is an error. This module signs and
asks; ``scoring`` scores, ``reuse`` finds and aligns shared passages, ``maintenance`` removes, expires, compacts
and checks; the store keeps and looks up.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Iterable

import numpy as np

from dedup.article.detector import Detector
from dedup.cluster.keep import DEFAULT as DEFAULT_KEEP
from dedup.cluster.keep import DateLike, check_rule, timestamp
from dedup.confirm.idf import HashedIdf
from dedup.corpus.pass_one import BatchSigner, paragraphs_of
from dedup.corpus.pass_two import SNIPPET
from dedup.index.maintenance import IndexMaintenance, Removal  # noqa: F401 (Removal re-exported)
from dedup.index.params import (  # noqa: F401
    DEFAULTS,
    IndexSkipWarning,
    OnSkip,
    TextRefused,
    _checked_date,
    _checked_text,
    add_in_batches,
    check_signature_params,
    checked_id,
    first_of_each_id,
    reuse_settings,
)
from dedup.index.reuse import IndexReuse
from dedup.index.scoring import (  # noqa: F401 (re-exported)
    REBUILD_PARAMS,
    RENAMED,
    IndexScoring,
    Rule,
    query_rule,
)
from dedup.index.store import (  # noqa: F401 (errors re-exported)
    MAX_PARAGRAPHS,
    STORED_BEFORE,
    ClosedStore,
    IndexClosedError,
    IndexFileError,
    IndexLocationError,
    IndexReadOnlyError,
    IndexStoreError,
    IndexUnavailableError,
    IndexWriteError,
    NewDocuments,
    mask_location,
)
from dedup.index.stores import open_store
from dedup.index.verdicts import MAX_LISTED, PassageMatch, ScoredMatch, Verdict, term_blobs  # noqa: F401 (re-exported)
from dedup.io.readers import Document
from dedup.reuse.search import ReuseSearch
from dedup.sketch.lsh import LSHBanding
from dedup.text.tokens import TokenTable
from dedup.util.arrays import distinct
from dedup.util.validate import (
    check_between,
    check_bool,
    check_fraction,
    check_int,
    check_str,
    refuses_two_values,
)


class Index(IndexScoring, IndexReuse, IndexMaintenance):
    """Near-duplicate documents and reused passages against everything added so far.

    Parameters
    ----------
    location : str or os.PathLike
        Where the index lives: a SQLite file (``news.db`` or
        ``sqlite:///news.db``; created if missing; several processes may write
        at once) or a Redis database (``redis://host:6379/0?prefix=news``,
        needs ``dedup[redis]``; for scrapers spread over machines). Both give
        the same results on the same input.
    jaccard_threshold, cosine_threshold, passage_cosine_threshold :
        As in ``CorpusScanner``; they apply at query time and are not stored (they are the defaults of
        ``check`` and ``query``, which may each be given others). ``threshold`` and ``passage_threshold``, the
        old names, still work for one release with a ``DeprecationWarning``.
    min_passage_words : int, optional
        As in ``CorpusScanner``, applied when documents are added, so stored with the file (8 when it is
        created without it, and for a file written before it was stored); another value for it raises.
    batch_size : int, default=512
        Documents per transaction in ``add_many``.
    within : bool, default=True
        Whether ``check`` also finds the text's own restated paragraphs.
    reuse : bool, default=True
        Whether ``check`` also finds the passages the text shares with indexed documents it does not
        near-duplicate, aligned to the character (``Verdict.reuse``; ``dedup.index.reuse``). Every document
        is stored with its text and reuse keys either way (schema 6), so an index can be checked both ways.
    detector : Detector, optional
        The detector for those (default: ``Detector()``).
    read_only : bool, optional
        True opens the index read-only (SQLite's ``mode=ro``; on Redis nothing is
        written either): adds and removals raise ``IndexReadOnlyError``, and a
        missing index is not made. None (the default) does so exactly when a
        SQLite file or its folder is not writable.
    keep : {"longest", "first", "earliest"}, default="longest"
        The rule (as ``CorpusScanner``'s) by which ``check`` says whether the new text should replace
        the indexed copies it duplicates (``Verdict.preferred``); the index itself keeps what was added
        first. ``longest``: the text has more content words than each of them (from the term counts the
        index holds); ``first``: never; ``earliest``: its ``date`` is earlier than each of theirs (the
        ``date`` given when they were added, kept as ``dated``, else when they were added, ``added``).
    lock_timeout : float, default=60
        Seconds a SQLite index waits for another process's lock (Redis ignores it); past it, ``IndexUnavailableError``
        (``IndexWriteError`` in a write, nothing written) says "locked by another process", not a bad file.
    **params :
        Signature parameters (``DEFAULTS``: k, paragraph_k, num_perm, seed,
        lsh_threshold, paragraph_lsh_threshold, n_features, stop_words, stem, reuse_keys: "pairs",
        "uncommon" or "all", how its stored reuse keys are made (``reuse.search.KEY_SETTINGS``; a file written
        before 2026-12-04 keeps its "uncommon" ones);
        copy_window: how its copied-run keys are chosen, ``ReuseSearch.copy_window``).
        Stored when the file is created; giving a different value for an
        existing file raises.

    Every parameter is checked (``ValueError`` naming it) before the store is
    touched, so a refused one creates no file and changes none. Store
    failures raise ``IndexStoreError`` subclasses (``IndexFileError``,
    ``IndexLocationError``, ``IndexUnavailableError``, ``IndexWriteError``,
    ``IndexReadOnlyError``) with a one-line message that never shows a password.

    Threads: one ``Index`` may be shared by threads. Its methods take a lock around their use of the store
    (SQLite's connection is opened with ``check_same_thread=False`` for that), so calls run one at a time, and
    ``add_many`` lets other threads in between its batches. For parallel signing use processes, each with its
    own ``Index``: several may write to one file or Redis database at once.
    """

    @refuses_two_values(RENAMED)
    def __init__(self, location: str | os.PathLike, jaccard_threshold: float = 0.8, cosine_threshold: float = 0.5,
                 passage_cosine_threshold: float = 0.7, min_passage_words: int | None = None, batch_size: int = 512,
                 within: bool = True, detector: Detector | None = None, read_only: bool | None = None,
                 keep: str = DEFAULT_KEEP, reuse: bool = True, lock_timeout: float = 60.0, **params) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown index parameter(s): {', '.join(sorted(unknown))}")
        # Every parameter is checked before the store is touched: a refused one leaves no file and no change.
        location = check_str("location", os.fspath(location) if isinstance(location, os.PathLike) else location)
        for name, value in (("jaccard_threshold", jaccard_threshold), ("cosine_threshold", cosine_threshold),
                            ("passage_cosine_threshold", passage_cosine_threshold)):
            check_fraction(name, value)
        if min_passage_words is not None:  # paragraphs are banded by it when added: stored with the file
            params["min_passage_words"] = check_int("min_passage_words", min_passage_words, 1)
        check_int("batch_size", batch_size, 1)
        check_bool("within", within)
        check_bool("reuse", reuse)
        if detector is not None and not isinstance(detector, Detector):
            raise ValueError(f"detector must be a Detector or None, got {detector!r}")
        if read_only is not None:
            check_bool("read_only", read_only)
        check_between("lock_timeout", lock_timeout, 0)
        params = {name: value for name, value in check_signature_params({**DEFAULTS, **params}).items()
                  if name in params}  # the given ones, as plain values
        self.keep = check_rule(keep)
        self.path = mask_location(location)
        self.jaccard_threshold, self.cosine_threshold = jaccard_threshold, cosine_threshold
        self.passage_cosine_threshold = passage_cosine_threshold
        self.batch_size = batch_size
        self.detector = (detector or Detector()) if within else None
        self.reuse = reuse
        self._lock = threading.RLock()
        self.store = open_store(location, timeout=lock_timeout, read_only=read_only)
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
        self.min_passage_words = p.get("min_passage_words", STORED_BEFORE["min_passage_words"])
        self.reuse_search = ReuseSearch(**reuse_settings(p))  # its keys are stored: the file's settings throughout
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
        """Close the store (as leaving ``with`` does; again: a no-op); any later use raises ``IndexClosedError``."""
        with self._lock:
            self.store.close()
            self.store = ClosedStore(self.path, self.read_only)

    def __enter__(self) -> "Index":
        self._check_open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            return self.store.count()

    def __contains__(self, doc_id: str) -> bool:
        with self._lock:
            return self.store.row_of(checked_id("doc_id", doc_id)) is not None

    # -- adding -------------------------------------------------------------

    def add(self, doc_id: str, text: str, fmt: str = "auto", date: DateLike = None) -> bool:
        """Add one document (plain text or HTML, see ``check``); False when its id is already indexed.

        ``date`` (ISO 8601 string, date, datetime or epoch seconds; a page's publication time, say) is kept
        as the document's date (``dated``) for ``keep="earliest"`` and ``expire``; without one, the time it
        is added stands for it. The time it is added is kept as well (``added``, ``expire(by="added")``).

        Raises ``TypeError`` / ``ValueError`` naming the argument for a missing id or text, an empty text,
        a lone surrogate in either, or a text of more than ``MAX_PARAGRAPHS`` paragraphs (nothing is stored then).

        Returns
        -------
        bool
            True when the document was added; False when its id was already indexed.
        """
        text = _checked_text(doc_id, text, fmt)
        _checked_date(date)
        skipped: list[str] = []
        added = self.add_many([Document(doc_id, text, date=date)], on_skip=lambda _, why: skipped.append(why))
        if skipped:
            raise TextRefused(f"text: {skipped[0]}")
        return added == 1

    def add_many(self, documents: Iterable[Document], on_skip: OnSkip | None = None) -> int:
        """Add documents, one atomic step every ``batch_size``; returns how many were new.

        Adds are idempotent by id: a document whose id is indexed (by this or another process, even one racing
        this one) is skipped. A document the index cannot hold (an id or text that is not a string, an empty id or
        text, a lone surrogate in either, more than ``MAX_PARAGRAPHS`` paragraphs) is skipped and the rest added:
        ``on_skip(id, reason)`` is called for it (an id that is not a string given as its ``repr``; without
        ``on_skip``, an ``IndexSkipWarning``). A store failure raises its ``IndexStoreError`` subclass saying how
        many documents this call added before it (also as ``err.added``): each batch is stored whole or not at
        all, and adding the same input again adds only what is missing. An ``InputError`` item (``read_documents``
        gives one for each file or record it could not read) is skipped and said to ``on_skip`` (its file or
        record, and why), as ``CorpusScanner.scan`` skips it; another item that is no ``Document`` raises
        ``TypeError`` naming its position; an exception of ``documents`` itself (a crawler that lost its source)
        is raised, with ``err.added``, once the documents it gave are added.

        Returns
        -------
        int
            How many documents were new (added by this call).
        """
        self._check_open()
        return add_in_batches(documents, on_skip, self.batch_size, self._add_batch)

    def _add_batch(self, docs: list[Document], skip: OnSkip) -> int:
        unique = first_of_each_id(docs)  # the first of a repeated id, as across batches
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
            self._refresh_idf()
            self._rekey_young(len(new))
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
        (reuse_keys, reuse_owner), (forms, form_owner) = self._reuse_rows(tokenized)
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
            dates=[timestamp(d.date) for d in docs], texts=texts, reuse_keys=reuse_keys, reuse_owner=reuse_owner,
            reuse_forms=forms, form_owner=form_owner, keyed=self.idf.n_docs + len(docs))

    # -- asking -------------------------------------------------------------

    def check(self, doc_id: str, text: str, add: bool = False, fmt: str = "auto", date: DateLike = None, *,
              top: int | None = None, jaccard_threshold: float | None = None,
              cosine_threshold: float | None = None, passage_cosine_threshold: float | None = None,
              **fixed) -> Verdict:
        """Which indexed documents ``text`` near-duplicates, which of their passages it reuses (whole
        paragraphs, and with ``reuse`` passages aligned to the character), and which of its own paragraphs
        restate each other.

        ``text`` is plain text or HTML (``fmt="html"``, or sniffed with ``"auto"``: the page's main
        text is extracted, one paragraph per block). With ``add=True`` the text is then added under
        ``doc_id`` (unless that id is already indexed). An indexed document with the same id is not
        compared with itself, and only with the documents indexed before it (``params.compared``): the
        original, checked again, is no duplicate of its later copies. ``Verdict.preferred`` says whether the
        text should replace the duplicates under ``keep``; ``date`` is the text's date for ``keep="earliest"``
        (without one: now), kept with it when it is added.

        ``top=k`` also lists the k most similar indexed documents (``Verdict.top``, see ``query``).
        ``jaccard_threshold``, ``cosine_threshold`` and ``passage_cosine_threshold`` replace the index's
        for this call only (``threshold`` and ``passage_threshold``: their old names, deprecated). A
        parameter the stored signatures were built with (``REBUILD_PARAMS``: k, num_perm, seed, bands,
        ...) raises ``ValueError`` saying that it needs a rebuild.

        Returns
        -------
        Verdict
            ``duplicates`` (``DocumentMatch`` with Jaccard, containment and cosine), ``passages`` (reused
            paragraphs of indexed documents), ``reuse`` (``Reuse`` records: passages shared with indexed
            documents it does not near-duplicate, spans into ``Verdict.text`` and theirs), ``restated`` (the
            text's own restatements, a ``Report``, with ``within``), ``preferred``, ``added``, ``top`` (with
            ``top``), ``seconds`` and ``failed`` (the restatement or reuse search that raised on this text, with
            its error: a fault of dedup's costs that search's results, not the check).
        """
        started = time.perf_counter()
        rule = self._rule(Index.check, jaccard_threshold, cosine_threshold, passage_cosine_threshold, fixed)
        text = _checked_text(doc_id, text, fmt)
        check_bool("add", add)
        _checked_date(date)
        if top is not None:
            check_int("top", top, 1)
        paragraphs = paragraphs_of(text)
        if add and len(paragraphs) > MAX_PARAGRAPHS:
            raise TextRefused(f"text: {len(paragraphs):,} paragraphs; an index holds at most {MAX_PARAGRAPHS:,} "
                             "per document (split it, or check it without add=True)")
        with self._lock:
            if add and self.read_only:
                raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; check it without add=True")
            # With add, the check and the add are one step for every process (``store.exclusive``): two crawlers
            # checking copies of one page at once both found no copy, and both kept theirs.
            with self.store.exclusive() if add else contextlib.nullcontext():
                own = self.store.row_of(doc_id)
                verdict = self._ask(doc_id, text, paragraphs, -1 if own is None else own, rule, top, date, True)
                if add and own is None:
                    verdict.added = self.add(doc_id, text, fmt="text", date=date)
        verdict.seconds = time.perf_counter() - started
        return verdict

    def query(self, text: str, top: int = 10, *, fmt: str = "auto", doc_id: str | None = None,
              jaccard_threshold: float | None = None, cosine_threshold: float | None = None,
              **fixed) -> list[ScoredMatch]:
        """The ``top`` indexed documents most similar to ``text``, best first, duplicates or not.

        Parameters
        ----------
        text : str
            Plain text or HTML (as ``check``).
        top : int, default=10
            How many to return (fewer when fewer share an LSH band with the text: documents that share
            none are far below any duplicate threshold and are not scored).
        doc_id : str, optional
            An indexed id to leave out (the text's own entry).
        jaccard_threshold, cosine_threshold :
            The duplicate rule ``ScoredMatch.duplicate`` is decided by (default: the index's).
        **fixed :
            Refused: ``REBUILD_PARAMS`` with a ``ValueError`` saying a rebuild is needed, others ``TypeError``.

        Returns
        -------
        list of ScoredMatch
            ``doc``, ``jaccard``, ``containment``, ``cosine`` and ``duplicate``, ordered by
            ``max(jaccard, containment)``, then Jaccard, cosine and id.
        """
        rule = self._rule(Index.query, jaccard_threshold, cosine_threshold, None, fixed)
        check_int("top", top, 1)
        text = _checked_text("query" if doc_id is None else doc_id, text, fmt)
        with self._lock:
            own = None if doc_id is None else self.store.row_of(doc_id)
            verdict = self._ask(doc_id or "query", text, paragraphs_of(text), -1 if own is None else own, rule,
                                top, None, False)
        return verdict.top

    def _ask(self, doc_id: str, text: str, paragraphs: list[str], own_row: int, rule: Rule, top: int | None,
             date: DateLike, full: bool) -> Verdict:
        """The verdict on a checked text (under the lock); ``full=False`` scores documents only (``query``)."""
        self._refresh_idf()
        tokenized = self.signer.tokenize_paragraphs([paragraphs])
        signed = self.signer.sign([text], tokenized)
        verdict = Verdict(id=doc_id, text=text, kept_by=self.keep, top=[] if top is not None else None)
        seeds_of = self._seeds_once(tokenized) if full else None
        rows: list[tuple[int, int]] = []
        if signed.sizes[0] > 0:
            verdict.duplicates, rows, verdict.top = self._duplicates(doc_id, tokenized, signed, own_row, rule, top)
            verdict.preferred = self._preferred(tokenized, date, rows) if full else False
        if full:
            duplicates = {m.b for m in verdict.duplicates}
            verdict.passages = self._passages(tokenized, signed, own_row, duplicates, rule.passage, rows)
            self._searched(verdict, tokenized, own_row, duplicates, seeds_of)
        return verdict
