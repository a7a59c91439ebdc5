"""Restatements inside documents on Spark: the documents the local scan searches, searched the same way.

Signing yields, for each document of two paragraphs or more, whether its headline, amounts or a run of words
two sentences share could make a restatement (``BatchSigner.restated_by_rule``), and its sentences' seeds.
Once the corpus's document frequencies are summed, each batch's seeds give the documents whose sentences share
uncommon words (``reuse.restating``, as ``restate_pass`` does locally); those and the flagged ones are joined
to their texts and searched by the detector (``BatchSigner.search``) in batches on the executors.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Callable, Iterator

import numpy as np

from dedup.corpus.restate_pass import SEARCH_BATCH
from dedup.corpus.spark_rdd import batches
from dedup.records import Report
from dedup.reuse.restating import COMMON_DOCS, COMMON_SHARE, restating
from dedup.util.faults import Failed


def restatement_rows(signed, indexed, signer, idf_b, n_docs: int, n: int,
                     report_to_dict: Callable[[Report], dict]):
    """An RDD of ``Row(id, paragraphs, groups, matches, candidates_dropped, error)``, one a document with
    restatements, or that the search failed on (``error``: the exception, one line; None for the others).

    ``signed``: the signing step's tagged records (``("restate", (doc, flag))`` and ``("seeds", Seeds)``);
    ``indexed``: ``(doc, id, text, date)`` rows; ``idf_b``: the broadcast corpus IDF (its ``df``)."""
    from pyspark.sql import Row

    def sharing(seeds) -> Iterator[tuple[int, bool]]:
        docs, local = np.unique(seeds.unit_doc, return_inverse=True)
        found = restating(replace(seeds, unit_doc=local.astype(np.int64)), idf_b.value.df, n_docs,
                          run_words=0, size=len(docs))  # runs: in the signing step's flags
        return ((doc, True) for doc in docs[found].tolist())

    flags = signed.filter(lambda r: r[0] == "restate").map(lambda r: r[1])
    shared = signed.filter(lambda r: r[0] == "seeds").flatMap(lambda r: sharing(r[1]))
    if n_docs * COMMON_SHARE <= COMMON_DOCS:  # too few documents to tell common words: all searched, as locally
        wanted = flags.map(lambda r: (r[0], None))
    else:
        wanted = flags.leftOuterJoin(shared, n).filter(lambda r: r[1][0] or r[1][1]).map(lambda r: (r[0], None))
    texts = indexed.map(lambda r: (r[0], (r[1], r[2])))

    def search(rows: Iterator) -> Iterator:
        for batch in batches(rows, SEARCH_BATCH):
            reports = signer.search([text for _, (_, (_, text)) in batch])
            for (_, (_, (doc_id, _))), report in zip(batch, reports):
                if report is None:
                    continue
                if isinstance(report, Failed):  # said in its row, as the local scan lists it
                    yield Row(id=doc_id, paragraphs=0, groups="[]", matches="[]", candidates_dropped=0,
                              error=report.error)
                    continue
                payload = report_to_dict(report)
                yield Row(id=doc_id, paragraphs=payload["paragraphs"],
                          groups=json.dumps(payload["groups"], ensure_ascii=False),
                          matches=json.dumps(payload["matches"], ensure_ascii=False),
                          candidates_dropped=payload.get("candidates_dropped", 0), error=None)

    return wanted.join(texts, n).mapPartitions(search)
