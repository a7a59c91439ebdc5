"""The parameters of ``dedup.Index`` and the checks of its arguments (kept apart so ``index`` stays short)."""

from __future__ import annotations

import warnings
from typing import Callable, Mapping

from dedup.cluster.keep import DateLike, timestamp
from dedup.io.html_input import as_text
from dedup.util.validate import check_bool, check_fraction, check_int, check_str

DEFAULTS = {"k": 3, "paragraph_k": 2, "num_perm": 128, "seed": 1, "lsh_threshold": 0.3,
            "paragraph_lsh_threshold": 0.4, "n_features": 1 << 20, "stop_words": True, "stem": True,
            "reuse_common_share": 1.0}
# The reuse keys of a file written before ``reuse_common_share`` was stored (2026-12-02) left out the words in
# more than 0.5% of the documents, and 3 shared keys made a candidate: such a file keeps both.
LEGACY_REUSE = {"common_share": 0.005, "min_shared": 3}
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
    check_fraction("reuse_common_share", params.get("reuse_common_share", LEGACY_REUSE["common_share"]))


def reuse_settings(params: Mapping) -> dict:
    """``ReuseSearch`` keyword arguments for an index with these stored ``params``: its reuse keys are stored,
    so they are computed as the file's first documents' were."""
    if "reuse_common_share" not in params:
        return dict(LEGACY_REUSE)
    return {"common_share": params["reuse_common_share"]}


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
