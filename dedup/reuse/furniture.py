"""Page furniture: sentences a site prints on many of its pages, which the reuse search keys nothing from.

A copyright line, a "generated for reader 561923 at 14:21" stamp, a "Share this article" line: text two
pages share because they come from one template, not because one reuses the other. The words of such a
sentence are common and key nothing, but its numbers may be rare enough to key, and a copied-run key over it
may be kept (winnowed) in only some of the pages that hold it, so that its bucket looks small. On 20,000
generated documents, each ending with such a stamp, the scan aligned 22,814 pairs for it and reported the
stamps as edited reuse (docs/benchmarks.md, "Page furniture").

A sentence's **form** is a hash of its content words in order, every number (``Tokens.numeric``) masked, so a
template filled in with other numbers keeps one form. A form of at least ``min_unit_words`` words held by more
documents than ``furniture_limit`` is furniture: its sentences give no sentence keys, a copied-run key with a
word in one pairs nothing, and a passage of furniture alone is not reported (``without_furniture``). The limit
is the smaller of the reuse search's ``max_bucket`` (a key held by more documents pairs nothing already) and
its common-word limit (``common_share`` of the documents, at least ``common_docs``), so that in a small corpus
too a footer on every page is furniture.
"""

from __future__ import annotations

import numpy as np

from dedup.records import Reuse
from dedup.reuse.key_rows import distinct_rows
from dedup.text.tokens import TokenTable, tokenize
from dedup.text.words import fmix64

_NUMBER = np.uint64(0x5BD1E9955BD1E995)  # what every number is in a form
# A copied-run key's sentences in 16 bits: its first sentence in its document << 3 | sentences spanned - 1 (a
# run of 8 words spans at most 8). Both arrays are held for a whole corpus: at 100,000 documents of 1,200 words,
# 4-byte units and 8-byte forms took the scan from 1,417 to 1,564 MB (budget 1,500).
_UNIT_BITS = 3
UNKNOWN_UNIT = 0xFFFF  # a copied-run key whose sentences are not known: never furniture (past 8,190 sentences)
_KEYS_AT_ONCE = 1 << 20  # copied-run keys or sentences read at once
_BUCKET_BITS = 20  # forms are first counted by their top 20 bits (``furniture_forms``)
_BUCKET_SHIFT = np.uint32(32 - _BUCKET_BITS)


def sentence_forms(hashes: np.ndarray, numeric: np.ndarray | None, starts: np.ndarray) -> np.ndarray:
    """The form (uint32) of each sentence of tokens ``hashes`` (``Tokens.hashes``; ``numeric``: which are
    numbers; ``starts``: each sentence's first token, increasing); empty when ``numeric`` is None (not known)."""
    if numeric is None or not len(starts):
        return np.zeros(0, np.uint32)
    masked = np.where(numeric, _NUMBER, hashes & ~np.uint64(3))
    sizes = np.diff(np.append(starts, len(hashes)))
    position = np.arange(len(hashes), dtype=np.int64) - np.repeat(starts, sizes)
    # Order matters: each word mixed with its place (one finalizer a word, the costly step).
    mixed = fmix64(masked + (position.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15))
    # 32 bits: a form is many documents' or a chance match of two (8.5 million sentences: about 8,000 pairs),
    # and a chance match makes no furniture.
    return (fmix64(np.add.reduceat(mixed, starts) ^ sizes.astype(np.uint64)) >> np.uint64(32)).astype(np.uint32)


def copy_units(gram_starts: np.ndarray, n: int, starts: np.ndarray, unit_doc: np.ndarray,
               token_doc: np.ndarray) -> np.ndarray:
    """Each copied-run key's sentences as one uint16 (its first sentence counted in its document, and how many
    it spans; ``UNKNOWN_UNIT`` past 8,190 sentences): ``gram_starts``, the first token of each key's run of
    ``n``; ``starts``, each sentence's first token; ``unit_doc``, each sentence's document (sorted)."""
    token_unit = np.zeros(len(token_doc), np.int64)
    token_unit[starts[1:]] = 1
    np.cumsum(token_unit, out=token_unit)
    unit_doc_start = np.searchsorted(unit_doc, np.arange(int(unit_doc[-1]) + 1))
    first = token_unit[gram_starts]
    local = first - unit_doc_start[token_doc[gram_starts]]
    span = np.minimum(token_unit[gram_starts + n - 1] - first, (1 << _UNIT_BITS) - 1)
    packed = (local << _UNIT_BITS) | span
    return np.where(local < (1 << (16 - _UNIT_BITS)) - 1, packed, UNKNOWN_UNIT).astype(np.uint16)


def furniture_limit(max_bucket: int, common_docs: int, common_share: float, n_docs: int) -> float:
    """Documents a form may be held by before it is furniture (see the module docstring)."""
    return min(max_bucket, max(common_docs, common_share * n_docs))


def furniture_forms(forms: np.ndarray, docs: np.ndarray, limit: float, may: np.ndarray | None = None) -> np.ndarray:
    """The forms (sorted) held by more than ``limit`` documents, of a corpus's sentences' ``forms`` and
    ``docs`` (``may``: which sentences may be furniture; all without it). The forms are first counted by their
    top 20 bits, ``_KEYS_AT_ONCE`` at a time (a form more documents hold lies in a bucket holding more); only
    the sentences of the buckets past ``limit``, a few, are counted by form and document. Sorting every
    sentence's form and document took 100 MB more at the scan's peak (100,000 documents of 1,200 words)."""
    buckets = np.zeros(1 << _BUCKET_BITS, dtype=np.int64)
    for start, part in _parts(forms, may):
        buckets += np.bincount(part >> _BUCKET_SHIFT, minlength=len(buckets))
    busy = buckets > limit
    if not busy.any():
        return np.zeros(0, np.uint32)
    rows = np.concatenate([start + at[busy[part >> _BUCKET_SHIFT]] for start, part, at in _parts(forms, may, True)])
    values, counts = np.unique(forms[rows], return_counts=True)
    often = values[counts > limit]
    rows = rows[np.isin(forms[rows], often)]
    held, _ = distinct_rows(forms[rows], np.asarray(docs)[rows].astype(np.int64))
    values, counts = np.unique(held, return_counts=True)
    return values[counts > limit].astype(np.uint32)


def _parts(forms: np.ndarray, may: np.ndarray | None, positions: bool = False):
    """``(start, forms)`` of ``_KEYS_AT_ONCE`` sentences at a time, those ``may`` allows (with ``positions``:
    ``(start, forms, their positions from start)``)."""
    for start in range(0, len(forms), _KEYS_AT_ONCE):
        part = forms[start:start + _KEYS_AT_ONCE]
        at = np.flatnonzero(may[start:start + _KEYS_AT_ONCE]) if may is not None else np.arange(len(part))
        yield (start, part[at], at) if positions else (start, part[at])


def furniture_units(forms: np.ndarray, furniture: np.ndarray) -> np.ndarray:
    """Which sentences (of their ``forms``) are furniture, given the furniture forms (sorted), read
    ``_KEYS_AT_ONCE`` at a time."""
    found = np.zeros(len(forms), bool)
    if not len(furniture):
        return found
    for start in range(0, len(forms), _KEYS_AT_ONCE):
        part = forms[start:start + _KEYS_AT_ONCE]
        at = np.minimum(np.searchsorted(furniture, part), len(furniture) - 1)
        found[start:start + len(part)] = furniture[at] == part
    return found


def in_furniture(units: np.ndarray, docs: np.ndarray, unit_doc: np.ndarray, furniture: np.ndarray) -> np.ndarray:
    """The positions (sorted) of the copied-run keys (``copy_units`` ``units`` of documents ``docs``) with a
    word in a furniture sentence (``furniture``: a flag per sentence, the sentences ``unit_doc``, sorted by
    document). Not only those wholly in furniture: a run of seven footer words and the last word of the text
    before it is the footer's key in every page whose text ends with that word. Two texts sharing a run of
    ``copy_n + copy_window - 1`` content words outside furniture still share a key (the least of a window
    inside the run). Only the keys of documents holding furniture are looked at, ``_KEYS_AT_ONCE`` at a time: a
    corpus's keys are tens of millions, and a few int64 arrays over all of them took 770 MB at 100,000
    documents of 1,200 words."""
    hit = np.flatnonzero(furniture)
    if not len(hit) or not len(units):
        return np.zeros(0, np.int64)
    holds = np.zeros(max(int(np.max(docs)), int(unit_doc[-1])) + 1, dtype=bool)
    holds[unit_doc[hit]] = True
    held = np.concatenate(([0], np.cumsum(furniture, dtype=np.int32)))
    found = [np.zeros(0, np.int64)]
    for start in range(0, len(units), _KEYS_AT_ONCE):
        maybe = np.flatnonzero(holds[docs[start:start + _KEYS_AT_ONCE]])
        if not len(maybe):
            continue
        part = units[start:start + _KEYS_AT_ONCE][maybe].astype(np.int64)
        first = np.searchsorted(unit_doc, docs[start:start + _KEYS_AT_ONCE][maybe], side="left") + (part >> _UNIT_BITS)
        last = first + (part & ((1 << _UNIT_BITS) - 1))
        known = (part != UNKNOWN_UNIT) & (last < len(furniture))
        first, last = np.where(known, first, 0), np.where(known, last, 0)
        found.append(start + maybe[known & (held[last + 1] - held[first] > 0)])
    return np.concatenate(found)


def without_furniture(records: list[Reuse], forms: np.ndarray, table: TokenTable, min_words: int = 2) -> list[Reuse]:
    """``records`` less those whose aligned sentences are all furniture on both sides (their forms, tokens made
    by ``table``, among the furniture ``forms``; a sentence of fewer than ``min_words`` content words never is):
    two pages aligned for text they do share also align their footers, as a passage of its own. A record
    without aligned sentences is kept."""
    if not len(forms) or not records:
        return records
    texts = sorted({s for r in records for pair in r.sentences for s in (pair.a, pair.b)})
    tokens = tokenize(texts, table)
    sizes = np.diff(tokens.offsets)
    flags = np.zeros(len(texts), bool)
    flags[sizes > 0] = furniture_units(sentence_forms(tokens.hashes, tokens.numeric, tokens.offsets[:-1][sizes > 0]),
                                       forms)
    held = dict(zip(texts, (flags & (sizes >= min_words)).tolist()))
    return [r for r in records if not r.sentences or not all(held[p.a] and held[p.b] for p in r.sentences)]
