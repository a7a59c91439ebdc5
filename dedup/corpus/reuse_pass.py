"""Pass two's reuse step: the document pairs whose seed keys meet (``reuse.search``) are screened from pass
one's seeds (``reuse.screen``, read from a ``seed_file.SeedFile``), and those kept are re-read and aligned
(``reuse.align``) in the scan's worker processes.

Pairs inside one near-duplicate cluster are left out: the cluster already says that the whole text is
shared. Texts are re-read once each, a slice of the candidates' documents at a time, so memory holds
the texts of one slice, not of every document that takes part.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterator

import numpy as np

from dedup.corpus.restate_pass import shared_uncommon_words
from dedup.corpus.seed_file import SeedFile
from dedup.corpus.state import CorpusState
from dedup.records import Reuse
from dedup.reuse.align import align_many
from dedup.reuse.furniture import without_furniture
from dedup.reuse.search import ReuseSearch, Seeds
from dedup.reuse.unit_rows import word_idf
from dedup.util import scratch
from dedup.util.allocator import release_freed
from dedup.util.arrays import distinct
from dedup.util.workers import Workers

if TYPE_CHECKING:
    from dedup.corpus.pass_one import BatchSigner

# Pairs a task screens at once (a sparse product, a few ms to set up, whose scratch grows with the pairs: 1,024
# a task raised the peak of 100,000 documents of 1,200 words by 270 MB), then aligns.
PAIRS_PER_TASK = 256
_DOCS_PER_SLICE = 4096  # documents whose texts are held at once
# The share of the sentences whose keys a worker makes beside the copied-run pairs (``_keys_in_two``). The pairs
# take about half as long as keying every sentence, so a quarter would even the two processes out; a third
# was measured (the step 0.86-1.02 -> 0.53-0.61 s on 20,000 documents, docs/benchmarks.md).
_WORKER_UNITS = 1 / 3


@dataclass(frozen=True)
class ReuseCandidates:
    """The document pairs whose seed keys meet, whether each shares a copied-run key (``copied``: aligned
    whatever the screen says), the sentence seeds the screen reads (``seeds``), and, when asked for, which
    documents two of whose sentences share uncommon words (``restating``: the restatement screen of the same
    seeds, ``reuse.restating.restating`` without its run rule; None when not asked for), and the page
    furniture's sentence forms (``ReuseSearch.furniture``: passages of furniture only are not reported)."""

    pairs: np.ndarray
    copied: np.ndarray
    seeds: SeedFile
    restating: np.ndarray | None = None
    furniture: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))  # sentence forms (sorted)


def reuse_candidates(signer: "BatchSigner", state: CorpusState, workers: Workers | None = None,
                     screen: bool = False) -> ReuseCandidates:
    """The document pairs whose seed keys meet (``ReuseSearch.candidates``), after which the state's seeds are
    let go: pass two asks for them before it re-reads its near-duplicate candidates, so that the seeds and
    the re-read evidence are never held together (the sentence seeds wait in a file for the screen). The
    copied-run keys go once their pairs are known, before the sentence keys are made, and the words once
    those are: at 100,000 documents of 1,200 words the
    seeds are about 900 MB, the sentence keys 300 MB and the re-read evidence 780 MB. With ``workers`` of
    more than one process, a worker makes the copied-run pairs and a part of the sentence keys meanwhile
    (``_keys_in_two``). With ``screen``, the restatement screen of the same seeds is made meanwhile too
    (``ReuseCandidates.restating``), its share in the worker as well."""
    search, seeds, n_docs = signer.reuse, state.reuse_seeds(), len(state.ids)
    furniture_forms, furniture = search.furniture(seeds, n_docs)  # sentences that key nothing
    seeds = replace(seeds, unit_forms=seeds.unit_forms[:0])
    state.release_reuse_seeds(("unit_forms",))
    if workers is not None and workers.pool is not None:
        copied, sentence_rows, shared = _keys_in_two(search, seeds, state.idf.df, n_docs, workers, screen, furniture)
    else:
        shared = _restating_share(seeds, state.idf.df, n_docs, screen)
        drop = search.furniture_keys(seeds, furniture)
        seeds = replace(seeds, copy_units=seeds.copy_units[:0])  # not needed past here: gone before the pairing
        state.release_reuse_seeds(("copy_units",))
        copied = search.copied_codes(search.copy_keys(seeds), n_docs, drop=drop)
        seeds = replace(seeds, copy_keys=seeds.copy_keys[:0], copy_doc=seeds.copy_doc[:0])
        state.release_reuse_seeds(("copy_keys", "copy_doc"))
        sentence_rows = search.sentence_keys(seeds, state.idf.df, n_docs, furniture=furniture)
    seed_file = SeedFile(seeds, n_docs)
    del seeds
    state.release_reuse_seeds()
    pairs, is_copied = search.candidates_of_codes(sentence_rows, copied, n_docs, with_copied=True)
    del sentence_rows, copied
    release_freed()  # the keys' and their sorts' memory, in one piece again for the re-reading
    return ReuseCandidates(pairs, is_copied, seed_file, shared, furniture_forms)


def _restating_share(seeds: Seeds, df: np.ndarray, n_docs: int, screen: bool) -> np.ndarray | None:
    """``shared_uncommon_words`` of ``seeds`` with ``screen``, else None."""
    return shared_uncommon_words(seeds, df, n_docs) if screen else None


def _keys_in_two(search: ReuseSearch, seeds: Seeds, df: np.ndarray, n_docs: int, workers: Workers,
                 screen: bool = False, furniture: np.ndarray | None = None
                 ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """``copied_codes`` and ``sentence_keys`` of ``seeds``, the copied-run pairs and the sentence keys of the
    first ``_WORKER_UNITS`` of the sentences (whole documents) made in a worker while this process keys the
    rest: the step was pass two's longest serial one. The worker maps its share of the seeds from files
    rather than receive them pickled, which would hold a second copy in this process (500 MB at 100,000
    documents of 1,200 words). With ``screen``, each process also screens its share's documents for
    restatements (``_restating_share``): 0.17 s of this process's time alone before. ``furniture``: a flag per
    sentence (``ReuseSearch.furniture``)."""
    if furniture is None:
        furniture = np.zeros(len(seeds.unit_doc), bool)
    cut = int(np.searchsorted(seeds.unit_doc, seeds.unit_doc[int(len(seeds.unit_doc) * _WORKER_UNITS)], "left")) \
        if len(seeds.unit_doc) else 0
    words = int(seeds.unit_words[:cut].sum(dtype=np.int64))
    rest = Seeds(words=seeds.words[words:], unit_words=seeds.unit_words[cut:], unit_doc=seeds.unit_doc[cut:],
                 copy_keys=seeds.copy_keys[:0], copy_doc=seeds.copy_doc[:0])
    try:
        with tempfile.TemporaryDirectory(prefix=scratch.prefix("keys")) as folder:
            _save_share(folder, {"words": seeds.words[:words], "unit_words": seeds.unit_words[:cut],
                                 "unit_doc": seeds.unit_doc[:cut], "copy_keys": seeds.copy_keys,
                                 "copy_doc": seeds.copy_doc, "copy_drop": search.furniture_keys(seeds, furniture),
                                 "df": df, "furniture": furniture[:cut]})
            (copied, first, first_shared), (_, last, last_shared) = workers.split(
                _key_share, [(search, folder, n_docs, None, screen), (search, rest, n_docs, df, screen,
                                                                     furniture[cut:])])
    except OSError:  # no room for the files (a small temporary folder): one process does it all, as with -j 1
        return (search.copied_codes(search.copy_keys(seeds), n_docs, drop=search.furniture_keys(seeds, furniture)),
                search.sentence_keys(seeds, df, n_docs, furniture=furniture),
                _restating_share(seeds, df, n_docs, screen))
    shared = first_shared | last_shared if screen else None
    if not len(first[0]):
        return copied, last, shared
    return copied, (np.concatenate((first[0], last[0])), np.concatenate((first[1], last[1]))), shared


def _save_share(folder: str, arrays: dict[str, np.ndarray]) -> None:
    for name, array in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), array)


def _key_share(search: ReuseSearch, share: "Seeds | str", n_docs: int, df: np.ndarray | None = None,
               screen: bool = False, furniture: np.ndarray | None = None):
    """``(copied_codes, sentence_keys, restating)`` of a share of the seeds: in a worker, of the arrays saved in
    the folder ``share`` (the copied-run pairs too, less the keys of ``copy_drop``); here, of the sentences
    of the ``Seeds`` given (None for the copied-run pairs) and their ``furniture`` flags. ``restating``:
    ``_restating_share`` of the share."""
    if not isinstance(share, str):
        return (None, search.sentence_keys(share, df, n_docs, furniture=furniture),
                _restating_share(share, df, n_docs, screen))
    paths = {name: os.path.join(share, name + ".npy")
             for name in ("words", "unit_words", "unit_doc", "copy_keys", "copy_doc", "copy_drop", "df", "furniture")}
    arrays = {name: np.load(path, mmap_mode="r", allow_pickle=False) for name, path in paths.items()}
    copied = search.copied_codes((np.asarray(arrays["copy_keys"]), np.asarray(arrays["copy_doc"])), n_docs,
                                 drop=np.asarray(arrays["copy_drop"]))
    seeds = Seeds(words=arrays["words"], unit_words=arrays["unit_words"], unit_doc=arrays["unit_doc"],
                  copy_keys=np.zeros(0, np.uint64), copy_doc=np.zeros(0, np.int32))
    shared = _restating_share(seeds, arrays["df"], n_docs, screen)
    return copied, search.sentence_keys(seeds, arrays["df"], n_docs, furniture=np.asarray(arrays["furniture"])), shared


def find_reuse(signer: "BatchSigner", state: CorpusState, candidates: ReuseCandidates, cluster_of: np.ndarray,
               text_field: str, fmt: str, workers: Workers) -> tuple[list[Reuse], dict]:
    """Reused passages between the documents of ``state``: the ``reuse_candidates`` screened (``ReuseSearch.
    screened``) and aligned (``align_batch``), less those inside one near-duplicate cluster (``cluster_of``:
    each document's cluster representative), and the step's counts for ``stats``."""
    apart = cluster_of[candidates.pairs[:, 0]] != cluster_of[candidates.pairs[:, 1]]
    pairs, copied = candidates.pairs[apart], candidates.copied[apart]
    found: list[Reuse] = []
    counts = {"screened_out": 0}
    failed: set[int] = set()
    faults: list[dict] = []  # pairs the alignment raised on (``align_many``'s ``on_fault``)
    try:
        with _shared_idf(state.idf.idf().astype(np.float32)) as idf_path:
            for chunk in _slices(np.column_stack((pairs, copied))):
                kept = _screened(chunk, candidates.seeds, idf_path, workers)
                counts["screened_out"] += int((~kept).sum())
                _align_slice(chunk[kept, :2], state, idf_path, text_field, fmt, workers, found, failed, faults)
    finally:
        candidates.seeds.close()
    aligned = len(found)
    found = without_furniture(found, candidates.furniture, signer.table, signer.reuse.min_unit_words)
    found.sort(key=lambda r: (state.index[r.a], state.index[r.b], r.a_span))
    return found, {"reuse_candidates": int(len(pairs)), "reuse_screened_out": counts["screened_out"],
                   "reuse_passages": len(found), "reuse_reread_failed": len(failed),
                   "reuse_furniture_forms": int(len(candidates.furniture)),
                   "reuse_furniture_passages": aligned - len(found), "reuse_alignment_failed": faults,
                   "reread_failed_documents": [state.ids[d] for d in sorted(failed)]}


@contextlib.contextmanager
def _shared_idf(idf: np.ndarray) -> Iterator[str | np.ndarray]:
    """The corpus IDF for the tasks: it weighs the screen's and the alignment's words (a word common in the corpus
    seeds nothing), and the workers map it from a file rather than receive 4 MB with every task; where the
    temporary folder is full, the array itself (a full $TMPDIR stopped the scan with a traceback)."""
    folder = None
    try:
        folder = tempfile.mkdtemp(prefix=scratch.prefix("idf"))
        path = os.path.join(folder, "idf.npy")
        np.save(path, idf)
    except OSError:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        yield idf
        return
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _screened(chunk: np.ndarray, seeds: SeedFile, idf_path: str | np.ndarray, workers: Workers) -> np.ndarray:
    """Which ``(a, b, copied)`` rows of ``chunk`` ``ReuseSearch.screened`` keeps, ``PAIRS_PER_TASK`` rows a task, each
    task sent with its documents' seeds."""
    def tasks() -> Iterator[tuple[tuple, None]]:
        for start in range(0, len(chunk), PAIRS_PER_TASK):
            rows = chunk[start:start + PAIRS_PER_TASK]
            if rows[:, 2].all():  # every pair shares a copied-run key: aligned whatever its sentences
                yield (None, rows, idf_path), None
            else:
                yield (seeds.of(distinct(rows[:, :2])), rows, idf_path), None

    return np.concatenate([np.zeros(0, bool)] + [keep for _, keep in workers.ordered(screen_seeds, tasks())])


def screen_seeds(signer: "BatchSigner", seeds: Seeds | None, rows: np.ndarray,
                 idf_path: str | np.ndarray) -> np.ndarray:
    """``ReuseSearch.screened`` of the ``(a, b, copied)`` rows from the seeds of their documents (None when every
    row is copied), words weighed by the corpus IDF saved at ``idf_path``."""
    copied = rows[:, 2].astype(bool)
    if seeds is None:
        return copied
    return signer.reuse.screened(seeds, rows[:, :2], copied, _corpus_idf(idf_path))


def _align_slice(pairs: np.ndarray, state: CorpusState, idf_path: str | np.ndarray, text_field: str, fmt: str,
                 workers: Workers, found: list[Reuse], failed: set[int], faults: list[dict]) -> None:
    """Re-read the documents of the pairs ``(a, b)`` and align each pair in the workers; the pairs the
    alignment raised on are added to ``faults`` as ``{"a", "b", "error"}``."""
    docs = sorted(set(pairs.ravel().tolist()))
    texts = dict(state.texts(docs, text_field, fmt, failed))
    tasks = [(a, b) for a, b in pairs.tolist() if a in texts and b in texts]

    size = workers.task_size(len(tasks), PAIRS_PER_TASK)

    def batches() -> Iterator[tuple[tuple[list, str], None]]:
        for i in range(0, len(tasks), size):
            some = tasks[i:i + size]
            yield ([(state.ids[a], texts[a], state.ids[b], texts[b]) for a, b in some], idf_path), None

    for _, (records, raised) in workers.ordered(align_batch, batches()):
        found.extend(records)
        faults.extend(raised)


def align_batch(signer: "BatchSigner", pairs: list[tuple[str, str, str, str]],
                idf_path: str | np.ndarray) -> tuple[list[Reuse], list[dict]]:
    """Aligned passages of each ``(a_id, a_text, b_id, b_text)``, words weighed by the corpus IDF saved at
    ``idf_path``, each text cut into units once; and the pairs the alignment raised on, ``{"a", "b", "error"}``
    (a fault of dedup's on one pair costs that pair's passages, said in ``stats.reuse_alignment_failed``)."""
    raised: list[dict] = []
    found = align_many(pairs, signer.reuse.align, word_idf(_corpus_idf(idf_path)), symmetric=True,
                       on_fault=lambda a, b, error: raised.append({"a": a, "b": b, "error": error}))
    return found, raised


def screen_pairs(signer: "BatchSigner", pairs: list[tuple[str, str, str, str, bool]],
                 idf: np.ndarray) -> list[tuple[str, str, str, str]]:
    """The ``(a_id, a_text, b_id, b_text)`` of the pairs ``ReuseSearch.screened`` keeps, their seeds made from
    the texts as pass one made them (``BatchSigner.reuse_seeds``); ``copied``: the pair shares a copied-run
    key; ``idf``: the corpus IDF per bucket. Spark's tasks screen so, on the texts they align (the local scan
    reads pass one's seeds from a ``SeedFile`` instead, before it re-reads)."""
    if not pairs:
        return []
    number: dict[str, int] = {}
    texts: list[str] = []
    for doc_id, text in ((p[k], p[k + 1]) for p in pairs for k in (0, 2)):
        if doc_id not in number:
            number[doc_id] = len(texts)
            texts.append(text)
    copied = np.array([p[4] for p in pairs], dtype=bool)
    keep = copied if copied.all() else signer.reuse.screened(
        signer.reuse_seeds(texts), np.array([(number[p[0]], number[p[2]]) for p in pairs], dtype=np.int64),
        copied, idf)
    return [p[:4] for p, ok in zip(pairs, keep.tolist()) if ok]


_IDF_FILES: dict[str, np.ndarray] = {}


def _corpus_idf(path: str | np.ndarray) -> np.ndarray:
    """The corpus IDF per bucket saved at ``path`` (memory-mapped once a process), or given itself."""
    if isinstance(path, np.ndarray):
        return path
    if path not in _IDF_FILES:
        _IDF_FILES.clear()  # one scan's at a time
        _IDF_FILES[path] = np.load(path, mmap_mode="r", allow_pickle=False)
    return _IDF_FILES[path]


def _slices(pairs: np.ndarray) -> Iterator[np.ndarray]:
    """Runs of consecutive rows (pairs sorted by first document, in the first two columns) whose documents
    number about ``_DOCS_PER_SLICE``."""
    start = 0
    while start < len(pairs):
        end, docs = start, set()
        while end < len(pairs) and len(docs) < _DOCS_PER_SLICE:
            docs.update(pairs[end, :2].tolist())
            end += 1
        yield pairs[start:end]
        start = end
