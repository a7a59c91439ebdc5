"""Digests: a short passage of one text that restates the whole of the other.

A summary of a whole document shares few sentences with it closely enough to be seeds (it restates a page
in a paragraph), yet as a whole it is the part of its text most like that document, far more alike than
the rest of its text is: the gap between the two is what sets a digest apart from two texts on one topic,
where any window of one resembles the other about as much as the whole does. ``best_digest`` finds the
window of up to ``max_units`` consecutive units of one text closest to the other text as a whole (TF-ISF
rows summed; the alignment's weights) and measures that gap (its ``lift``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from dedup.reuse.units import Units


@dataclass(frozen=True)
class Digest:
    """The window ``first``..``last`` (units, both included) of one text, its cosine with the whole other text,
    and ``lift``: that cosine less the two texts' cosine as wholes."""

    first: int
    last: int
    cosine: float
    lift: float


def best_digest(weights: np.ndarray | sparse.csr_matrix, other: np.ndarray | sparse.csr_matrix, units: Units,
                other_chars: int, min_chars: int, max_units: int, min_units: int = 2) -> Digest | None:
    """The window of ``min_units`` to ``max_units`` consecutive units of a text (``weights``: their rows,
    L2-normalized; ``units``: their spans) most alike the whole other text (``other``: its rows), among those
    at least ``min_chars`` long and at most a third of ``other_chars`` (a digest is much shorter than what it
    restates); None when no window qualifies."""
    n = weights.shape[0]
    if n < min_units or not other.shape[0]:
        return None
    whole = _unit(np.asarray(other.sum(axis=0)).ravel())
    own = _unit(np.asarray(weights.sum(axis=0)).ravel())
    together = float(own @ whole)
    toward = np.asarray(weights @ whole).ravel()  # each unit's dot with the other text as a whole
    reach = np.concatenate(([0.0], np.cumsum(toward)))
    # Rows' dots with the rows d after them: a window's squared norm is a sum over its band of the Gram matrix.
    bands = [_row_dots(weights, d) for d in range(max_units)]
    prefix = [np.concatenate(([0.0], np.cumsum(b))) for b in bands]
    starts = np.array([s for s, _ in units.spans], dtype=np.int64)
    ends = np.array([e for _, e in units.spans], dtype=np.int64)
    extra = units.extra_before  # ``Units.length``: a character of Chinese counts three letters
    best: Digest | None = None
    for k in range(min_units, min(max_units, n) + 1):
        first = np.arange(n - k + 1)
        chars = ends[first + k - 1] - starts[first]
        if extra is not None:
            chars = chars + (extra[first + k] - extra[first])
        fits = (chars >= min_chars) & (3 * chars <= other_chars)
        if not fits.any():
            continue
        dot = reach[first + k] - reach[first]
        norm2 = prefix[0][first + k] - prefix[0][first]
        for d in range(1, k):
            norm2 = norm2 + 2 * (prefix[d][first + k - d] - prefix[d][first])
        cosine = np.where(fits, dot / np.sqrt(np.maximum(norm2, 1e-24)), -1.0)
        at = int(np.argmax(cosine))
        if cosine[at] > (best.cosine if best else -1.0):
            best = Digest(at, at + k - 1, float(cosine[at]), float(cosine[at]) - together)
    return best


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def _row_dots(weights, d: int) -> np.ndarray:
    """``weights[i] . weights[i + d]`` for every ``i`` with a row ``d`` after it."""
    n = weights.shape[0]
    if d >= n:
        return np.zeros(0)
    upper, lower = weights[:n - d], weights[d:]
    if sparse.issparse(weights):
        return np.asarray(upper.multiply(lower).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", upper, lower)
