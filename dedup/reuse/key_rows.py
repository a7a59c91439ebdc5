"""Rows of ``(key, document)``, the reuse search's candidate keys (``reuse.search``): the copied-run keys
winnowed, the rows made distinct, and cut to the keys more than one row holds before they are paired."""

from __future__ import annotations

import numpy as np

from dedup.util.allocator import release_freed
from dedup.util.arrays import distinct

_FILTER_ROWS = 100_000  # key rows past which ``shared_rows`` drops the keys held once (fewer: all are kept)
_FILTER_PART = 1_000_000  # ... comparing this many of them, in key order, at a time
_WINDOWS_AT_ONCE = 1 << 20  # windows ``winnowed`` reads at once: its scratch is bounded, not a huge text's size


def run_hashes(values: np.ndarray, n: int) -> np.ndarray:
    """A hash of every run of ``n`` consecutive ``values`` (uint64), ``len(values) - n + 1`` of them (FNV-style:
    each value xored in, then multiplied); ``len(values) >= n``."""
    grams = np.zeros(len(values) - n + 1, dtype=np.uint64)
    for j in range(n):  # in place: a fresh array a step was more of the time than the arithmetic
        np.bitwise_xor(grams, values[j:len(values) - n + 1 + j], out=grams)
        np.multiply(grams, np.uint64(0x100000001B3), out=grams)
    return grams


def distinct_rows(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(key, doc)`` pairs."""
    if not len(keys):
        return keys, docs
    order = np.lexsort((keys, docs))
    keys, docs = keys[order], docs[order]
    keep = np.concatenate(([True], (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])))
    return keys[keep], docs[keep]


def shared_rows(keys: np.ndarray, docs: np.ndarray, drop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose key is on another row too: most keys of a corpus are one document's (a key held once
    pairs nothing), and sorting every row with its document took several times the rows' memory (190 MB
    more for the copied-run keys of 25,000 documents of 1,200 words); the keys alone are ordered here (one
    8-byte position a row, as a sorted copy of the keys took), and each row compared with its neighbours in
    that order, a part at a time. A sorted copy looked up by binary search took twice as long (75 against
    40 ms for a million rows, most of it the search). ``drop``: rows (positions) left out whatever their key
    (a filtered copy of the rows would be 12 bytes a row more at the step's peak)."""
    if len(keys) < _FILTER_ROWS:
        if drop is not None and len(drop):
            kept = np.ones(len(keys), dtype=bool)
            kept[drop] = False
            return keys[kept], docs[kept]
        return keys, docs
    order = np.argsort(keys)
    kept = np.zeros(len(keys), dtype=bool)
    for start in range(0, len(keys) - 1, _FILTER_PART):  # a part's keys at a time: 8 bytes a row otherwise
        at = order[start:start + _FILTER_PART + 1]
        part = keys[at]
        same = np.flatnonzero(part[1:] == part[:-1])
        kept[at[same]] = True
        kept[at[same + 1]] = True
    del order
    if drop is not None:
        kept[drop] = False
    return keys[kept], docs[kept]


def winnowed(hashes: np.ndarray, doc: np.ndarray, window: int, covered: np.ndarray | None = None) -> np.ndarray:
    """Positions winnowing keeps of ``hashes`` (``doc``: each one's document, in runs): every position holding
    the least hash of a run of ``window`` consecutive hashes of one document (equal hashes in a run, a run of
    words a text repeats, all kept: they are one key), and of a document holding fewer, its least; in order.
    ``covered``: positions kept anyway, whose runs need nothing more (only runs holding none are winnowed)."""
    n = len(hashes)
    if not n:
        return np.zeros(0, np.int64)
    m = max(n - window + 1, 0)
    if covered is not None:
        held = np.concatenate(([0], np.cumsum(covered, dtype=np.int64)))
    least = np.zeros(m, hashes.dtype)  # each window's least hash; 0 for a window across two documents
    for start in range(0, m, _WINDOWS_AT_ONCE):  # bounded scratch, not a huge text's size
        end = min(start + _WINDOWS_AT_ONCE, m)
        part = _sliding(hashes[start:end + window - 1], window, np.minimum)
        inside = doc[start:end] == doc[start + window - 1:end + window - 1]
        if covered is not None:
            inside &= held[start + window:end + window] == held[start:end]
        least[start:end] = np.where(inside, part, 0)
    # A position is kept when one of the windows holding it has its hash as least: the most of those windows'
    # least hashes is then its hash (each is at most its hash).
    padded = np.concatenate((np.zeros(window - 1, hashes.dtype), least, np.zeros(window - 1, hashes.dtype)))
    kept = np.zeros(n, bool)
    for start in range(0, n, _WINDOWS_AT_ONCE):
        end = min(start + _WINDOWS_AT_ONCE, n)
        kept[start:end] = _sliding(padded[start:end + window - 1], window, np.maximum) == hashes[start:end]
    picked = np.flatnonzero(kept & (hashes != 0))  # 0 is no window's least (a window across documents)
    starts = np.flatnonzero(np.concatenate(([True], doc[1:] != doc[:-1])))
    sizes = np.diff(np.append(starts, n))
    short = sizes < window
    if covered is not None and short.any():  # ... unless a position of its is kept anyway
        short &= np.add.reduceat(covered, starts) == 0
    if short.any():  # a document shorter than a window keeps its least hash
        owner = np.repeat(np.arange(len(starts)), sizes)
        order = np.lexsort((hashes, owner))  # each document's least hash first
        picked = np.concatenate((picked, order[np.searchsorted(owner[order], np.flatnonzero(short))]))
    return distinct(picked.astype(np.int64))


def _sliding(values: np.ndarray, window: int, op) -> np.ndarray:
    """``op`` (``np.minimum`` or ``np.maximum``) over each run of ``window`` consecutive ``values``, by doubling:
    a few whole-array operations rather than one a shift."""
    out, span = values, 1
    while 2 * span <= window:
        out, span = op(out[:len(out) - span], out[span:]), 2 * span  # out[i]: values[i:i + span]
    count = len(values) - window + 1
    return op(out[:count], out[window - span:window - span + count]) if span < window else out[:count]


def key_weights(bucket_sizes: np.ndarray, n_docs: int) -> np.ndarray:
    """The weight a shared key adds to a pair's strength: ``floor(log2(n_docs / documents holding it)) + 1``,
    an integer (so a pair's strength is the same summed in any order, on one machine or on Spark), larger for
    a rarer key."""
    ratio = max(n_docs, 1) // np.maximum(np.asarray(bucket_sizes, np.int64), 1)
    return np.floor(np.log2(np.maximum(ratio, 1))).astype(np.int64) + 1


def strongest_partners(owner: np.ndarray, codes: np.ndarray, strength: np.ndarray, k: int) -> np.ndarray:
    """Of rows ``(owner, code, strength)``, the codes each owner ranks among its ``k`` strongest, with repeats; when
    partners as strong as its ``k``-th are the reason it would cut, they are all kept, up to ``_TIED_ROOM * k``
    in all (a larger tie, a crowd sharing one boilerplate sentence, is cut at ``k``, the lower codes first).
    Strengths are sums of small integer weights, so ties are common, and a code is a document number: cut
    inside a tie, the partners kept would be those the input order numbered first. Every row of an owner must
    be given (Spark hands each partition whole owners)."""
    order = np.lexsort((codes, -strength, owner))
    owner, codes, strength = owner[order], codes[order], strength[order]
    first = np.searchsorted(owner, owner)
    rank = np.arange(len(owner)) - first
    kth = np.minimum(first + k - 1, np.searchsorted(owner, owner, side="right") - 1)  # its k-th row, or its last
    # Runs of one owner's equal strengths, and where each ends.
    group = np.cumsum(np.concatenate(([True], (owner[1:] != owner[:-1]) | (strength[1:] != strength[:-1]))))
    group_end = np.searchsorted(group, group, side="right")
    whole_tie = (group == group[kth]) & (group_end[kth] - first <= _TIED_ROOM * k)
    return codes[(rank < k) | whole_tie]


_TIED_ROOM = 2  # a tie at the cap is kept whole up to twice the cap


def document_chunks(unit_words: np.ndarray, unit_doc: np.ndarray, size: int):
    """``((first word, end word), (first unit, end unit))`` of runs of whole documents holding about ``size``
    words each (``unit_words``: each sentence's words; ``unit_doc``: each sentence's document, in order)."""
    # Summed in the sentences' own 32 bits where the total fits: a 64-bit sum of a corpus's int32 counts made a
    # 64-bit copy of them first, and the two were 136 MB of the scan's peak at 8.5 million sentences.
    wide = int(unit_words.sum(dtype=np.int64)) >= 2**31 or unit_words.dtype.itemsize > 4
    ends = np.cumsum(unit_words, dtype=np.int64 if wide else np.int32)
    n_words, n_units = (int(ends[-1]) if len(ends) else 0), len(unit_doc)
    w0 = u0 = 0
    while u0 < n_units:
        u1 = n_units
        if w0 + size < n_words:  # on to the end of the document holding the word ``size`` on
            u = int(np.searchsorted(ends, w0 + size, side="right"))
            u1 = int(np.searchsorted(unit_doc, unit_doc[min(u, n_units - 1)], side="right"))
        w1 = int(ends[u1 - 1])
        yield (w0, w1), (u0, u1)
        w0, u0 = w1, u1


def copied_run_keys(hashes: np.ndarray, token_doc: np.ndarray, n: int, sample: int,
                    window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The copied-run keys of tokens ``hashes`` (``token_doc``: each one's document), their documents and their
    runs' first tokens: the hashes of runs of ``n`` content words in one document, kept when the hash falls in
    one ``sample``-th of the hash space, and the least of every ``window`` runs holding none of those
    (``winnowed``; 0: none)."""
    if len(hashes) < n:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    grams = run_hashes(hashes, n)
    grams ^= grams >> np.uint64(29)
    inside = np.flatnonzero(token_doc[:len(grams)] == token_doc[n - 1:])  # a run never spans two documents
    grams, doc = grams[inside], token_doc[inside]
    kept = grams % np.uint64(sample) == 0
    if window:
        kept[winnowed(grams, doc, window, kept)] = True
    # Not made distinct per document (a sort of every batch's keys): pairing counts a repeated run once.
    return grams[kept], doc[kept], inside[kept]


def joined_rows(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The ``(keys, docs)`` of ``parts`` joined, each part let go once it is copied (emptying ``parts``).

    A scan keeps freed memory for reuse (``util.allocator``): the chunks' temporaries, and then the parts, are
    handed back as they go, or the peak holds them, the parts and the joined rows at once (100,000 documents of
    1,200 words: 440 MB over the seeds for 139 MB of rows)."""
    release_freed()
    keys = np.empty(sum(len(k) for k, _ in parts), parts[0][0].dtype)
    docs = np.empty(len(keys), parts[0][1].dtype)
    at = 0
    while parts:
        part_keys, part_docs = parts.pop(0)
        keys[at : at + len(part_keys)], docs[at : at + len(part_keys)] = part_keys, part_docs
        at += len(part_keys)
        del part_keys, part_docs
        release_freed()
    return keys, docs
