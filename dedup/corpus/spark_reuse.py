"""Reused passages between documents on Spark, with the local engine's functions (``dedup.corpus.reuse_pass``).

1. **Seeds**: signing (``BatchSigner``) keeps each batch's ``reuse.search.Seeds``, their document numbers
   made the input's (as ``CorpusState.absorb`` does) once the batch is signed.
2. **Keys**: once the corpus document frequencies are summed, each batch's seeds become (key, document)
   rows by ``ReuseSearch``'s own ``sentence_keys`` and ``copy_keys``, so the keys are exactly the ones the
   local search pairs (uncommon words per sentence, MinHash bands; sampled copied runs).
3. **Buckets**: the rows are shuffled by key, a few arrays per batch, and each partition pairs the documents
   of its keys with ``ReuseSearch.pair_codes`` (its buckets are whole, so the ``max_bucket`` cap holds); the
   pairs' sentence-key counts and key weights are summed by a second shuffle on the pair, and a pair is a
   candidate with ``min_shared`` sentence keys or one copied-run key, as ``ReuseSearch.candidates`` decides;
   with ``max_partners``, a third shuffle hands each document all of its pairs, it keeps its strongest
   (``reuse.key_rows.strongest_partners``, integer strengths: the same whatever the order of the sums), and a
   fourth makes the kept pairs distinct.

   Collecting the seeds to the driver instead was measured at about 2.7 KB a document (12 bytes per
   content word, 16 per copied-run key): 2.7 GB for a million documents, not the few hundred bytes a
   document the driver can take, so the grouping stays on the executors.
4. **Align**: pairs inside one near-duplicate cluster are dropped; the others get both texts by two joins
   on the document number and are screened (``reuse_pass.screen_pairs``, the pairs sharing no copied-run
   key) and aligned on the executors by ``reuse.align.align_units``, words weighed by the corpus IDF (the
   broadcast one), each text cut into units once per task of 256 pairs (``align_many``), as the local
   scan's workers do.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import numpy as np
from threadpoolctl import threadpool_limits

from dedup.corpus.reuse_pass import PAIRS_PER_TASK, screen_pairs
from dedup.corpus.spark_rdd import batches, paired, partition_by
from dedup.reuse.align import align_many
from dedup.reuse.furniture import without_furniture
from dedup.reuse.key_rows import distinct_rows, strongest_partners
from dedup.reuse.search import ReuseSearch, Seeds
from dedup.reuse.unit_rows import word_idf
from dedup.util.arrays import counted, distinct

_SENTENCE, _COPY = 0, 1

REUSE_SCHEMA = ("a string, b string, a_start int, a_end int, b_start int, b_end int, score double, jaccard double, "
                "cosine double, kind string, sentences array<struct<a:string,b:string,cosine:double>>")


def global_seeds(seeds: Seeds, docs: np.ndarray) -> Seeds:
    """A batch's seeds with the documents numbered ``docs[i]`` (the input's numbering) instead of ``i``."""
    return replace(seeds, unit_doc=docs[seeds.unit_doc], copy_doc=docs[seeds.copy_doc].astype(np.int32))


def furniture_forms(seeds, search: ReuseSearch, n_docs: int, n: int) -> np.ndarray:
    """The page furniture's sentence forms (``ReuseSearch.furniture``) of all of ``seeds`` (an RDD of ``Seeds``,
    each batch whole documents): each batch's distinct (form, document) rows counted by form, the counts
    summed by a shuffle on the form, the forms past ``ReuseSearch.furniture_limit`` collected (a few: page
    furniture is what many documents share)."""
    limit = search.furniture_limit(n_docs)

    def counts(batches_: Iterator[Seeds]) -> Iterator:
        for seeds_ in batches_:
            forms, _ = distinct_rows(*search.form_rows(seeds_))
            values, held = np.unique(forms, return_counts=True)
            yield from zip(values.tolist(), held.tolist())

    found = seeds.mapPartitions(counts).reduceByKey(lambda x, y: x + y, n).filter(lambda r: r[1] > limit).keys()
    return np.array(sorted(found.collect()), dtype=np.uint32)


def key_rows(search: ReuseSearch, seeds: Seeds, df: np.ndarray, n_docs: int,
             furniture: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """(kind, key, doc) arrays of a batch's seeds: the rows ``search`` pairs documents from (its sentence band
    keys, then its copied-run keys), none of page furniture (``furniture``: its sentence forms)."""
    flags = None if furniture is None else search.furniture_flags(seeds, furniture)
    sentence = search.sentence_keys(seeds, df, n_docs, furniture=flags)
    copied = search.copy_keys(seeds, flags)
    kinds = np.repeat(np.array([_SENTENCE, _COPY], np.int8), [len(sentence[0]), len(copied[0])])
    return (kinds, np.concatenate((sentence[0], copied[0])).astype(np.uint64),
            np.concatenate((sentence[1], copied[1])).astype(np.int64))


def candidate_pairs(seeds, search: ReuseSearch, idf_b, n_docs: int, n: int, furniture_b=None):
    """RDD of the document pairs (a, b, copied), a < b, that ``search.candidates`` gives on all of ``seeds`` (an
    RDD of ``Seeds`` in the input's numbering; ``idf_b``: the broadcast corpus ``HashedIdf``; ``furniture_b``:
    the broadcast ``furniture_forms``); ``copied``: the pair shares a copied-run key
    (``candidates_of_codes(with_copied=True)``)."""
    def keyed(batches_: Iterator[Seeds]) -> Iterator:
        df = idf_b.value.df
        furniture = None if furniture_b is None else furniture_b.value
        for seeds_ in batches_:
            kinds, keys, docs = key_rows(search, seeds_, df, n_docs, furniture)
            for part, rows in partition_by(keys, n):
                yield part, (kinds[rows], keys[rows], docs[rows])

    def bucket_pairs(parts: Iterator) -> Iterator:
        kinds, keys, docs = (np.concatenate(x) for x in zip(*(p for _, p in parts)))
        by_kind = [(keys[kinds == k], docs[kinds == k]) for k in (_SENTENCE, _COPY)]
        codes, weights = search.pair_codes(*by_kind[0], n_docs, weighted=True)
        codes, counts, weights = counted(codes, weights)
        copied = distinct(search.pair_codes(*by_kind[1], n_docs))
        codes = np.concatenate((codes, copied))
        counts = np.concatenate((counts, np.full(len(copied), -1)))  # -1: a copied-run key (a candidate)
        weights = np.concatenate((weights.astype(np.int64), np.zeros(len(copied), np.int64)))
        for part, rows in partition_by(codes, n):
            yield part, (codes[rows], counts[rows], weights[rows])

    def shared(parts: Iterator) -> Iterator:
        codes, counts, weights = (np.concatenate(x) for x in zip(*(p for _, p in parts)))
        distinct_codes, inverse = np.unique(codes, return_inverse=True)
        keys = np.bincount(inverse, weights=np.maximum(counts, 0), minlength=len(distinct_codes))
        strength = np.bincount(inverse, weights=weights, minlength=len(distinct_codes)).astype(np.int64)
        copied = np.zeros(len(distinct_codes), bool)
        copied[inverse[counts < 0]] = True
        enough = (keys >= search.min_shared) & ~copied
        size = max(n_docs, 1)
        if not search.max_partners:
            kept = enough | copied
            yield from zip((distinct_codes[kept] // size).tolist(), (distinct_codes[kept] % size).tolist(),
                           copied[kept].tolist())
            return
        # To each document's partition: its pairs with their strength; a copied pair once, strength -1 (kept).
        ranked, sure = distinct_codes[enough], distinct_codes[copied]
        owner = np.concatenate((ranked // size, ranked % size, sure // size))
        codes_ = np.concatenate((ranked, ranked, sure))
        strength_ = np.concatenate((strength[enough], strength[enough], np.full(len(sure), -1, np.int64)))
        for part, rows in partition_by(owner, n):
            yield part, (owner[rows], codes_[rows], strength_[rows])

    def strongest(parts: Iterator) -> Iterator:
        owner, codes, strength = (np.concatenate(x) for x in zip(*(p for _, p in parts)))
        sure = strength < 0
        kept = np.concatenate((codes[sure], strongest_partners(owner[~sure], codes[~sure], strength[~sure],
                                                               search.max_partners)))
        copied = np.concatenate((np.ones(sure.sum(), bool), np.zeros(len(kept) - sure.sum(), bool)))
        for part, rows in partition_by(kept, n):
            yield part, (kept[rows], copied[rows])

    def distinct_pairs(parts: Iterator) -> Iterator:
        codes, copied = (np.concatenate(x) for x in zip(*(p for _, p in parts)))
        kept, inverse = np.unique(codes, return_inverse=True)
        flags = np.zeros(len(kept), bool)
        flags[inverse[copied]] = True
        size = max(n_docs, 1)
        yield from zip((kept // size).tolist(), (kept % size).tolist(), flags.tolist())

    grouped = seeds.mapPartitions(keyed).partitionBy(n, lambda part: part).mapPartitions(_nonempty(bucket_pairs))
    found = grouped.partitionBy(n, lambda part: part).mapPartitions(_nonempty(shared))
    if not search.max_partners:
        return found
    found = found.partitionBy(n, lambda part: part).mapPartitions(_nonempty(strongest))
    return found.partitionBy(n, lambda part: part).mapPartitions(_nonempty(distinct_pairs))


def _nonempty(step):
    """``step`` on a partition's (part, arrays) items, skipped for an empty partition."""
    def run(items: Iterator) -> Iterator:
        items = list(items)
        return step(iter(items)) if items else iter(())
    return run


def aligned(pairs, texts, signer, idf_b, n: int, copied: bool, furniture_b=None):
    """RDD of ``("reuse", Row)`` (``REUSE_SCHEMA``) for each passage the pairs (a, b) share, of
    ``("screened_out", count)`` and ``("furniture_out", count)`` per task, and of ``("failed", {"a", "b",
    "error"})`` for each pair the alignment raised on (``align_many``'s ``on_fault``, as the local scan);
    ``texts``: doc -> (id, text);
    ``copied``: the pairs share a copied-run key. Each task of ``PAIRS_PER_TASK`` pairs is screened
    (``reuse_pass.screen_pairs``) and aligned (``align_many``) as the local scan's workers do, passages of page
    furniture only left out
    (``reuse.furniture.without_furniture``, ``furniture_b``: the broadcast ``furniture_forms``)."""
    from pyspark.sql import Row

    settings, settings_min_words = signer.reuse.align, signer.reuse.min_unit_words

    def align(rows: Iterator) -> Iterator:
        threadpool_limits(limits=1, user_api="blas")  # the executors' cores are the parallelism (``util.workers``)
        table = idf_b.value.idf().astype(np.float32)  # what the local scan saves for its workers
        for batch in batches(rows, PAIRS_PER_TASK):
            tasks = [(a_id, a_text, b_id, b_text, copied) for ((_, (a_id, a_text)), (b_id, b_text)) in batch]
            kept = screen_pairs(signer, tasks, table)
            yield "screened_out", len(tasks) - len(kept)
            raised: list[dict] = []
            found = align_many(kept, settings, word_idf(table), symmetric=True,
                               on_fault=lambda a, b, error: raised.append({"a": a, "b": b, "error": error}))
            yield from (("failed", fault) for fault in raised)
            if furniture_b is not None:
                aligned_ = len(found)
                found = without_furniture(found, furniture_b.value, signer.table, settings_min_words)
                yield "furniture_out", aligned_ - len(found)
            for r in found:
                yield "reuse", Row(a=r.a, b=r.b, a_start=r.a_span[0], a_end=r.a_span[1], b_start=r.b_span[0],
                                   b_end=r.b_span[1], score=r.score, jaccard=r.jaccard, cosine=r.cosine,
                                   kind=r.kind, sentences=[Row(a=s.a, b=s.b, cosine=s.cosine) for s in r.sentences])

    return paired(pairs, texts, n).mapPartitions(align)
