"""Pass two's reuse step: the document pairs whose seed keys meet (``reuse.search``) are re-read and
aligned (``reuse.align``), in the scan's worker processes.

Pairs inside one near-duplicate cluster are left out: the cluster already says that the whole text is
shared. Texts are re-read once each, a slice of the candidates' documents at a time, so memory holds
the texts of one slice, not of every document that takes part.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from dedup.corpus.state import CorpusState
from dedup.records import Reuse
from dedup.reuse.align import align_many
from dedup.reuse.search import word_idf
from dedup.util.allocator import release_freed
from dedup.util.workers import Workers

if TYPE_CHECKING:
    from dedup.corpus.pass_one import BatchSigner

_PAIRS_PER_TASK = 64
_DOCS_PER_SLICE = 4096  # documents whose texts are held at once


@dataclass(frozen=True)
class ReuseCandidates:
    """The document pairs pass two aligns (``pairs``) and those the screen (``ReuseSearch.screened``) left out."""

    pairs: np.ndarray
    screened_out: np.ndarray


def reuse_candidates(signer: "BatchSigner", state: CorpusState) -> ReuseCandidates:
    """The document pairs whose seed keys meet (``ReuseSearch.candidates``) and pass the screen
    (``ReuseSearch.screened``), after which the state's seeds are let go: pass two asks for them before it
    re-reads its near-duplicate candidates, so that the seeds and the re-read evidence are never held
    together. The copied-run keys (12 bytes a sampled run) go once their pairs are known, before the sentence
    keys are made; the words (4 bytes a content word) once the screen has read them: at 100,000 documents of
    1,200 words each is about 300 MB, and the re-read evidence 780 MB."""
    search, seeds, n_docs = signer.reuse, state.reuse_seeds(), len(state.ids)
    copied = search.copied_codes(search.copy_keys(seeds), n_docs)
    seeds = replace(seeds, copy_keys=seeds.copy_keys[:0], copy_doc=seeds.copy_doc[:0])
    state.release_reuse_seeds(("copy_keys", "copy_doc"))
    sentence_rows = search.sentence_keys(seeds, state.idf.df, n_docs)
    pairs, is_copied = search.candidates_of_codes(sentence_rows, copied, n_docs, with_copied=True)
    del sentence_rows, copied
    release_freed()  # the keys' and their sorts' memory, for the screen's
    keep = search.screened(seeds, pairs, is_copied, state.idf.idf())
    del seeds
    state.release_reuse_seeds()
    return ReuseCandidates(pairs[keep], pairs[~keep])


def find_reuse(signer: "BatchSigner", state: CorpusState, candidates: ReuseCandidates, cluster_of: np.ndarray,
               text_field: str, fmt: str, workers: Workers) -> tuple[list[Reuse], dict]:
    """Reused passages between the documents of ``state``: the ``reuse_candidates`` aligned, less those inside
    one near-duplicate cluster (``cluster_of``: each document's cluster representative), and the step's counts
    for ``stats``."""
    pairs = _apart(candidates.pairs, cluster_of)
    found: list[Reuse] = []
    failed: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="dedup-idf-") as folder:
        # The corpus IDF weighs the alignment's words (a word common in the corpus seeds nothing); the
        # workers map it from a file rather than receive 4 MB with every task.
        idf_path = os.path.join(folder, "idf.npy")
        np.save(idf_path, state.idf.idf().astype(np.float32))
        for chunk in _slices(pairs):
            _align_slice(chunk, state, idf_path, text_field, fmt, workers, found, failed)
    found.sort(key=lambda r: (state.index[r.a], state.index[r.b], r.a_span))
    return found, {"reuse_candidates": int(len(pairs)), "reuse_screened_out": int(len(_apart(
        candidates.screened_out, cluster_of))), "reuse_passages": len(found), "reuse_reread_failed": len(failed)}


def _apart(pairs: np.ndarray, cluster_of: np.ndarray) -> np.ndarray:
    """The pairs whose documents are not in one near-duplicate cluster."""
    return pairs[cluster_of[pairs[:, 0]] != cluster_of[pairs[:, 1]]]


def _align_slice(chunk: np.ndarray, state: CorpusState, idf_path: str, text_field: str, fmt: str,
                 workers: Workers, found: list[Reuse], failed: set[int]) -> None:
    """Re-read the documents of ``chunk``'s pairs and align each pair in the workers."""
    docs = sorted(set(chunk.ravel().tolist()))
    texts = dict(state.texts(docs, text_field, fmt, failed))
    tasks = [(a, b) for a, b in chunk.tolist() if a in texts and b in texts]

    def batches() -> Iterator[tuple[tuple[list, str], None]]:
        for i in range(0, len(tasks), _PAIRS_PER_TASK):
            some = tasks[i:i + _PAIRS_PER_TASK]
            yield ([(state.ids[a], texts[a], state.ids[b], texts[b]) for a, b in some], idf_path), None

    for _, records in workers.ordered(align_pairs, batches()):
        found.extend(records)


def align_pairs(signer: "BatchSigner", pairs: list[tuple[str, str, str, str]], idf_path: str) -> list[Reuse]:
    """Aligned passages of each ``(a_id, a_text, b_id, b_text)``, words weighed by the corpus IDF saved at
    ``idf_path``; each text is cut into units once."""
    return align_many(pairs, signer.reuse.align, _corpus_idf(idf_path))


_IDF_FILES: dict[str, np.ndarray] = {}


def _corpus_idf(path: str) -> Callable[[list[str]], np.ndarray]:
    """The IDF of each word of a list, from the corpus IDF saved at ``path`` (memory-mapped once a process)."""
    if path not in _IDF_FILES:
        _IDF_FILES.clear()  # one scan's at a time
        _IDF_FILES[path] = np.load(path, mmap_mode="r", allow_pickle=False)
    return word_idf(_IDF_FILES[path])


def _slices(pairs: np.ndarray) -> Iterator[np.ndarray]:
    """Runs of consecutive pairs (sorted by first document) whose documents number about ``_DOCS_PER_SLICE``."""
    start = 0
    while start < len(pairs):
        end, docs = start, set()
        while end < len(pairs) and len(docs) < _DOCS_PER_SLICE:
            docs.update(pairs[end].tolist())
            end += 1
        yield pairs[start:end]
        start = end
