"""The parameters of ``dedup.Index`` and the checks of its arguments (kept apart so ``index`` stays short)."""

from __future__ import annotations

import warnings
from typing import Callable, Mapping

from dedup.cluster.keep import DateLike, timestamp
from dedup.index.store import STORED_BEFORE, IndexFileError, IndexReadOnlyError, IndexStoreError
from dedup.io.html_input import as_text
from dedup.io.readers import Document, InputError
from dedup.reuse.search import COPY_WINDOW, KEY_SETTINGS, MAX_COPY_WORDS
from dedup.sketch.shingle import MAX_K
from dedup.util.validate import (
    WORD_CHAR,
    TextRefused,
    check_bool,
    check_callable,
    check_encodable,
    check_fraction,
    check_int,
    check_iterable,
    check_str,
)

DEFAULTS = {"k": 3, "paragraph_k": 2, "num_perm": 128, "seed": 1, "lsh_threshold": 0.3,
            "paragraph_lsh_threshold": 0.4, "n_features": 1 << 20, "stop_words": True, "stem": True,
            "reuse_keys": "pairs", "copy_window": COPY_WINDOW, "min_passage_words": 8}
OnSkip = Callable[[str, str], None]  # (document id, why it was not added)


class IndexSkipWarning(UserWarning):
    """A document ``add_many`` did not add (empty, a lone surrogate, too many paragraphs), when no ``on_skip``."""


def check_signature_params(params: Mapping) -> dict:
    """The stored parameters, each checked as ``CorpusScanner`` and the parts it hands them to check them; as
    plain Python values (numpy's ``int64(64)`` is an integer, and the store writes them as JSON)."""
    checked = dict(params)
    for name in ("k", "paragraph_k"):
        checked[name] = check_int(name, params[name], 1, MAX_K)
    checked["num_perm"] = check_int("num_perm", params["num_perm"], 2, 4096)
    checked["seed"] = check_int("seed", params["seed"], 0, 2**32 - 1)
    for name in ("lsh_threshold", "paragraph_lsh_threshold"):
        checked[name] = check_fraction(name, params[name])
    checked["n_features"] = check_int("n_features", params["n_features"], 16, 1 << 26)
    for name in ("stop_words", "stem"):
        checked[name] = check_bool(name, params[name])
    if "min_passage_words" in params:
        checked["min_passage_words"] = check_int("min_passage_words", params["min_passage_words"], 1)
    if "copy_window" in params:
        checked["copy_window"] = check_int("copy_window", params["copy_window"], 0, MAX_COPY_WORDS)
    keys = params.get("reuse_keys", "uncommon")
    if keys not in KEY_SETTINGS:
        raise ValueError(f"reuse_keys must be one of {', '.join(KEY_SETTINGS)}, got {keys!r}")
    return checked


def reuse_settings(params: Mapping) -> dict:
    """``ReuseSearch`` keyword arguments for an index with these stored ``params``: its reuse keys are stored,
    so they are computed as the file's first documents' were (a file written before ``reuse_keys`` was stored
    has "uncommon" ones; before ``copy_window`` was, copied-run keys sampled by hash, ``copy_window=0``)."""
    return {**KEY_SETTINGS[params.get("reuse_keys", STORED_BEFORE["reuse_keys"])],
            "copy_window": params.get("copy_window", STORED_BEFORE["copy_window"])}


def checked_id(name: str, doc_id) -> str:
    """``doc_id`` if it is a non-blank string with no lone surrogate (no store could write one; the
    ``ValueError`` names the argument, where the store would fail with a ``UnicodeEncodeError``)."""
    return check_encodable(name, check_str(name, doc_id))


def _checked_text(doc_id, text, fmt: str) -> str:
    """The text to index for ``doc_id``, after ``check_str`` of both; a ``ValueError`` for an empty one, or for
    either holding a lone surrogate (no store could write it: refused here, naming the argument)."""
    checked_id("doc_id", doc_id)
    try:
        check_encodable("text", check_str("text", text))
    except ValueError as err:  # empty, or a lone surrogate (a text that is no string stays a TypeError)
        raise TextRefused(str(err)) from None
    text = as_text(text, fmt)
    if not text.strip():
        raise TextRefused(f"text: {doc_id!r} has no text once its markup is removed")
    return text


def unreadable_date(date: DateLike) -> str | None:
    """Why a ``date`` given cannot stand for a time, or None (no date, or one ``timestamp`` reads)."""
    if date is None or timestamp(date) is not None:
        return None
    return f"{date!r:.60} is not an ISO 8601 date or datetime, a date, or epoch seconds"


def _checked_date(date: DateLike) -> None:
    """A ``date`` given but unreadable raises ``ValueError`` (rather than silently standing for now)."""
    problem = unreadable_date(date)
    if problem is not None:
        raise ValueError(f"date: {problem}")


def _warn_skipped(doc_id: str, reason: str) -> None:
    warnings.warn(f"{doc_id}: not added: {reason}", IndexSkipWarning, stacklevel=4)


def add_in_batches(documents, on_skip: OnSkip | None, batch_size: int, add_batch) -> int:
    """``Index.add_many``'s loop: ``documents`` checked, skipped where the index cannot hold them (``unstorable``,
    said to ``on_skip``), and given to ``add_batch(batch, skip)`` every ``batch_size``; how many were new."""
    skip = skip_callback(documents, on_skip)
    added, batch, failed = 0, [], []
    try:
        for position, doc in enumerate(until_failure(documents, failed)):
            if isinstance(doc, InputError):  # the readers' own item for an input they could not read: skipped, said
                skip(doc.source, doc.reason)
                continue
            if not isinstance(doc, Document):  # a caller's mistake, not a bad record: said once the rest is in
                raise not_a_document(position, doc, added + (add_batch(batch, skip) if batch else 0))
            why = unstorable(doc.id, doc.text, doc.date)
            if why:  # skipped, not raised: the documents before and after it are still added
                skip(doc.id if isinstance(doc.id, str) else repr(doc.id), why)
                continue
            batch.append(doc)
            if len(batch) >= batch_size:
                added += add_batch(batch, skip)
                batch = []
        added += add_batch(batch, skip) if batch else 0
    except IndexStoreError as err:
        raise added_before(err, added) from err
    if failed:  # the iterable's own exception, once what it gave is in, with how many were added
        failed[0].added = added
        raise failed[0]
    return added


def until_failure(documents, failed: list):
    """The items of ``documents``; an exception the iterable itself raises is put in ``failed`` and ends them, so
    that ``add_many`` stores the pending batch before raising it (the batch was lost, and no count said so)."""
    try:
        yield from documents
    except Exception as err:
        failed.append(err)


def added_before(err, added: int):
    """``err`` (an ``IndexStoreError``) again, saying how many documents ``add_many`` had added (``.added``). A
    refusal before anything is sent (read-only, no index there or gone) wrote nothing of the batch in flight:
    it is not said to maybe have been stored, nor to add again (which can never work)."""
    refused = isinstance(err, (IndexReadOnlyError, IndexFileError))
    if refused and not added:
        failure = type(err)(str(err))
    elif refused:
        failure = type(err)(f"{err}; {added} documents were added before it")
    else:
        failure = type(err)(f"{err}; {added} documents were added before the failure (a batch is stored whole or not "
                            "at all, and the batch in flight may have been stored; adding the same input again adds "
                            "only what is missing)")
    failure.added = added
    return failure


def skip_callback(documents, on_skip: OnSkip | None) -> OnSkip:
    """What ``add_many`` calls for a document it skips (``on_skip``, else a warning), once ``documents`` is checked
    to be an iterable (not None, not one string) and ``on_skip`` a function or None: either named up front."""
    check_iterable("documents", documents)
    return check_callable("on_skip", on_skip) or _warn_skipped


def unstorable(doc_id, text, date: DateLike = None) -> str | None:
    """Why ``add_many`` cannot store this document (an id or text that is not a string, an empty id or text, a
    text without words, a lone surrogate in either, a date given but unreadable), or None."""
    problem = unreadable_date(date)
    if problem is not None:
        return f"its date {problem}"
    for name, value in (("its id", doc_id), ("its text", text)):
        if not isinstance(value, str):
            return f"{name} must be a string, got {type(value).__name__} {value!r:.60}"
    if not doc_id.strip():
        return "its id is empty or only whitespace"
    if not text.strip():
        return "the text is empty or only whitespace"
    if not WORD_CHAR.search(text):  # as every reader skips it: no shingles, nothing it could ever match
        return "the text has no words (only punctuation, symbols or spaces)"
    for name, value in (("its id", doc_id), ("its text", text)):
        try:
            check_encodable(name, value)
        except ValueError as err:
            return str(err)
    return None


def first_of_each_id(docs: list) -> list:
    """The documents of a batch, the first of each id only: as across batches and in ``add``, a repeated id's
    first copy is the one kept (a dict of them all kept the last, so ``batch_size`` changed what was stored)."""
    first: dict = {}
    for doc in docs:
        first.setdefault(doc.id, doc)
    return list(first.values())


def not_a_document(position: int, item, added: int) -> TypeError:
    """The error for an item of ``add_many`` that is no ``Document`` (a caller's mistake, not a bad record)."""
    return TypeError(f"documents: item {position} is a {type(item).__name__}, not a Document "
                     f"(dedup.io.readers.Document(id, text)); the {added} new documents before it were added")


def compared(rows, own_row: int):
    """Which indexed ``rows`` (an int or an array) a checked text is compared with: all but its own entry for a new
    text (``own_row`` -1); for one indexed already (a page crawled again), only those indexed before it, so the
    original never becomes a duplicate of its own later copies (rows grow in the order documents are added)."""
    return rows != own_row if own_row < 0 else rows < own_row
