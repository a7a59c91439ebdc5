"""Pass two's restatement step: the documents that may restate themselves are re-read and searched.

Pass one flags each document whose headline or amounts could make a restatement (``article.screen``) and keeps
its sentences' content words with the reuse seeds. Once the corpus's document frequencies are known, a
document two of whose sentences share uncommon words or a run of words (``reuse.restating``) is searched
too; the others cannot be confirmed by anything but a paraphrase sharing only the corpus's common words, and
are not searched (docs/benchmarks.md, "Documents that may restate themselves"). The search itself is the
detector's, in the scan's worker processes, a batch of re-read texts at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import numpy as np

from dedup.corpus.state import CorpusState
from dedup.reuse.restating import restating
from dedup.reuse.search import Seeds
from dedup.util.faults import Failed
from dedup.util.progress import Progress
from dedup.util.workers import Workers

if TYPE_CHECKING:
    from dedup.corpus.pass_one import BatchSigner

# Documents a worker searches at once: a batch of 512 was over ten seconds of work, so a 1,000-document scan
# was two batches, both queued to the worker, and --jobs 2 gained nothing.
SEARCH_BATCH = 32


def shared_uncommon_words(seeds: Seeds, df: np.ndarray, n_docs: int) -> np.ndarray:
    """The documents of ``seeds`` two of whose sentences share uncommon words (``reuse.restating``; its run rule
    is in pass one's flags)."""
    return restating(seeds, df, n_docs, run_words=0)


def restating_documents(signer: "BatchSigner", state: CorpusState, shared: np.ndarray | None = None) -> np.ndarray:
    """The documents of two paragraphs or more that pass one flagged (a headline, amounts, a run of words two
    sentences share) or whose sentences share uncommon words (``shared``, when the reuse step screened them
    already; else from the state's seeds, after ``state.finish``, before they are let go), sorted."""
    n_docs = len(state.ids)
    if shared is None:
        shared = shared_uncommon_words(state.reuse_seeds(), state.idf.df, n_docs)
    return np.flatnonzero((shared | (state.restate[:n_docs] > 0)) & (state.paragraphs[:n_docs] >= 2))


def search_restatements(signer: "BatchSigner", state: CorpusState, docs: np.ndarray, text_field: str, fmt: str,
                        workers: Workers, batch_size: int, batch_chars: int, progress: Progress | None = None) -> dict:
    """Re-read ``docs`` and keep the restatements found in each (``BatchSigner.search``) in ``state.reports``;
    the step's counts, for the report's stats. ``progress``: the scan's line, followed by one of this step
    (on real text it searches nearly every document, the scan's longest step)."""
    shown = progress.stage(f"restatements, {len(docs):,} documents to search") if progress is not None else None
    failed: set[int] = set()
    size = workers.task_size(len(docs), min(batch_size, SEARCH_BATCH))

    def batches() -> Iterator[tuple[tuple[list[str]], list[int]]]:
        batch: list[tuple[int, str]] = []
        chars = 0
        for doc, text in state.texts(docs.tolist(), text_field, fmt, failed):
            batch.append((doc, text))
            chars += len(text)
            if len(batch) >= size or chars >= batch_chars:
                yield ([t for _, t in batch],), [d for d, _ in batch]
                batch, chars = [], 0
        if batch:
            yield ([t for _, t in batch],), [d for d, _ in batch]

    capped, failures = [], []
    try:
        for searched, reports in workers.ordered(_search, batches()):
            if shown is not None:
                shown.update(len(searched))
            for doc, report in zip(searched, reports):
                if isinstance(report, Failed):
                    failures.append({"id": state.ids[doc], "error": report.error})
                elif report is not None:
                    state.reports.add(doc, report)
                    if report.candidates_dropped:
                        capped.append(doc)
    finally:  # the line is closed on Ctrl-C too, before the scan says where its checkpoint is
        if shown is not None:
            shown.close()
    state.capped = sorted(set(state.capped) | set(capped))
    return {"restatement_documents_searched": int(len(docs)), "restatement_reread_failed": len(failed),
            "restatement_search_failed": failures, "reread_failed_documents": [state.ids[d] for d in sorted(failed)]}


def _search(signer: "BatchSigner", texts: list[str]):
    return signer.search(texts)
