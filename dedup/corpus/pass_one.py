"""Pass one of a corpus scan: many documents' texts -> signatures, band keys,
paragraph fingerprints and token buckets, in a few numpy calls per batch.

``BatchSigner`` holds only parameters and caches, so it pickles into worker
processes (``--jobs``); ``SignedBatch`` is all that comes back: arrays. With restatements on, each document is
flagged when its headline, its amounts (``article.screen``) or a run of words two of its sentences share
(``reuse.restating``) could make a restatement; pass two searches the documents flagged, or whose sentences
share uncommon words, once it knows the corpus's document frequencies.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from dedup.article.screen import restated_by_rule
from dedup.confirm.idf import HashedIdf
from dedup.records import Report
from dedup.reuse.restating import shared_runs
from dedup.reuse.search import ReuseSearch, Seeds
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.oph import OnePermutationHasher
from dedup.sketch.shingle import ShingleSets, kgram_sets
from dedup.text.segment import map_punctuation, normalize, split_paragraphs
from dedup.text.tokens import Tokens, TokenTable, tokenize
from dedup.text.words import fmix64
from dedup.util.faults import Failed, attempt


@dataclass
class SignedBatch:
    """What pass one keeps of a batch of documents (no texts)."""

    signatures: np.ndarray  # (docs, num_perm) uint32, document shingles
    sizes: np.ndarray  # (docs,) distinct document shingles
    lengths: np.ndarray  # (docs,) content tokens
    paragraphs: np.ndarray  # (docs,) paragraphs per document
    fingerprints: np.ndarray  # (paragraphs,) uint64 identity of each paragraph's shingle set, 0 if empty
    paragraph_tokens: np.ndarray  # (paragraphs,) content tokens per paragraph
    paragraph_keys: np.ndarray  # (paragraphs, bands) uint64 LSH band keys
    buckets: np.ndarray  # distinct token buckets of each document, concatenated (for the corpus IDF)
    restate: np.ndarray  # (docs,) uint8: 1 where a headline, amounts or a shared run may restate (``restated_by_rule``)
    reuse: Seeds | None = None  # what the reuse search (or the restatement screen) keeps; None without both


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of ``text``, numbered as ``text.segment`` numbers them.

    Text with LF line ends that NFKC leaves alone segments the same before
    and after ``normalize`` (which then only folds spaces), so the costly
    normalization is skipped for it once its curly quotes and dashes are
    mapped: most news, in English or not.
    """
    if text.isascii() and "\r" not in text:
        return split_paragraphs(text)
    mapped = map_punctuation(text)
    if "\r" not in mapped and (mapped.isascii() or unicodedata.is_normalized("NFKC", mapped)):
        return split_paragraphs(mapped)
    return split_paragraphs(normalize(text))


class BatchSigner:
    """Sign batches of documents for a corpus scan.

    Parameters
    ----------
    k : int
        Words per document shingle.
    paragraph_k : int
        Words per paragraph shingle (passage reuse across documents).
    num_perm, seed : int
        One-permutation hashing parameters (``oph``).
    paragraph_lsh : LSHBanding
        Banding for paragraph band keys.
    n_features : int
        Token hash buckets of the corpus IDF (``idf.HashedIdf``).
    table : TokenTable
        Token normalization (stop words, stemming).
    restatements : callable, optional
        A per-document hook: text -> ``Report`` of the restatements inside it (``Detector.detect``), which pass
        two calls on the documents worth it (``search_restatements``); None skips that step. A hook, so that
        signing (and a worker process) does not import the reranker stack.
    reuse : ReuseSearch, optional
        Computes each document's reuse seed keys (passages reused across documents); None skips that step.
    restate_run_words : int, default=5
        Content words of a run that confirms a restatement (the detector's ``min_shared_words``; 0: none): two
        sentences sharing one are searched (``reuse.restating``).
    """

    def __init__(self, k: int, paragraph_k: int, num_perm: int, seed: int, paragraph_lsh: LSHBanding,
                 n_features: int, table: TokenTable, restatements: Callable[[str], Report] | None,
                 reuse: ReuseSearch | None = None, restate_run_words: int = 5) -> None:
        self.k = k
        self.paragraph_k = paragraph_k
        self.hasher = OnePermutationHasher(num_perm=num_perm, seed=seed)
        self.paragraph_lsh = paragraph_lsh
        self.bucketer = HashedIdf(n_features)  # buckets only; the counts live in the caller's HashedIdf
        self.table = table
        self.restatements = restatements
        self.reuse = reuse
        # The restatement screen reads the reuse seeds' sentences: made without the reuse search too.
        self.seeding = reuse if reuse is not None else (ReuseSearch() if restatements is not None else None)
        self.restate_run_words = restate_run_words

    def tokens(self, texts: Sequence[str]) -> "Tokenized":
        """Paragraphs of each document and their tokens (one tokenized text per paragraph)."""
        return self.tokenize_paragraphs([paragraphs_of(t) for t in texts])

    def tokenize_paragraphs(self, paragraphs: list[list[str]]) -> "Tokenized":
        """``tokens`` of documents given as their paragraphs (a paragraph's tokens do not depend on the others)."""
        counts = np.array([len(p) for p in paragraphs], dtype=np.int64)
        tokens = tokenize([p for ps in paragraphs for p in ps], self.table)
        owner = np.repeat(np.arange(len(paragraphs), dtype=np.int64), counts)
        return Tokenized(paragraphs, counts, tokens, owner)

    def reuse_seeds(self, texts: Sequence[str]) -> Seeds:
        """The sentences of the reuse search's seeds of ``texts``, as ``sign`` keeps them, without the copied-run
        keys (pass two's screen, ``reuse_pass.screen_pairs``, reads the sentences only)."""
        return self._reuse_seeds(self.tokens(texts), copy_keys=False)

    def _reuse_seeds(self, tokenized: "Tokenized", copy_keys: bool = True) -> Seeds:
        tokens = tokenized.tokens
        return self.seeding.seeds(tokens, tokenized.token_document(), self.bucketer.buckets(tokens),
                                  copy_keys and self.reuse is not None)

    def document_sets(self, tokenized: "Tokenized") -> ShingleSets:
        """Each document's k-gram shingle set."""
        tokens = tokenized.tokens
        return kgram_sets(tokens.hashes, tokens.sentence, tokenized.token_document(), len(tokenized), self.k)

    def document_signatures(self, texts: Sequence[str]) -> np.ndarray:
        """Raw texts -> ``(len(texts), num_perm)`` document signatures, and nothing else."""
        return self.hasher.sign(self.document_sets(self.tokens(texts)))

    def __call__(self, texts: Sequence[str]) -> SignedBatch:
        return self.sign(texts, self.tokens(texts))

    def sign(self, texts: Sequence[str], tokenized: "Tokenized") -> SignedBatch:
        """Sign already tokenized ``texts`` (the texts are only needed for restatements)."""
        tokens, counts = tokenized.tokens, tokenized.counts
        doc_sets = self.document_sets(tokenized)
        para_sets = kgram_sets(tokens.hashes, tokens.sentence, tokens.owner(), len(tokens), self.paragraph_k)
        seeds = None if self.seeding is None else self._reuse_seeds(tokenized)
        return SignedBatch(
            reuse=seeds,
            signatures=self.hasher.sign(doc_sets),
            sizes=doc_sets.sizes().astype(np.int32),
            lengths=np.bincount(tokenized.token_document(), minlength=len(texts)).astype(np.int32),
            paragraphs=counts.astype(np.int32),
            fingerprints=fingerprints(para_sets.hashes, para_sets.offsets),
            paragraph_tokens=np.diff(tokens.offsets).astype(np.int32),
            paragraph_keys=self.paragraph_lsh.band_keys(self.hasher.sign(para_sets)),
            buckets=self.bucketer.document_buckets(tokenized.by_document()).astype(np.int32),
            restate=self.restated_by_rule(tokenized, seeds),
        )

    def restated_by_rule(self, tokenized: "Tokenized", seeds: Seeds | None) -> np.ndarray:
        """1 for each document of two paragraphs or more whose headline or amounts could make a restatement
        (``article.screen``) or two of whose sentences share a run of ``restate_run_words`` (``reuse.restating``,
        its rule that needs no document frequency), 0 otherwise; all 0 without restatements."""
        counts = tokenized.counts
        flags = np.zeros(len(counts), dtype=np.uint8)
        if self.restatements is None:
            return flags
        flags[shared_runs(seeds, len(counts), self.restate_run_words) & (counts >= 2)] = 1
        words = tokenized.paragraph_words()
        first = np.concatenate(([0], np.cumsum(counts)))
        for i in np.flatnonzero((counts >= 2) & (flags == 0)).tolist():
            flags[i] = restated_by_rule(tokenized.paragraphs[i], words[first[i]:first[i + 1]])
        return flags

    def search(self, texts: Sequence[str]) -> list[Report | Failed | None]:
        """The restatements of each of ``texts`` (``restatements``), None for a text without any (a partial
        search, ``candidates_dropped``, is one to report), ``Failed`` for a text the search failed on
        (``util.faults.attempt``: the scan keeps the document's other results and lists it in
        ``stats.restatement_search_failed``)."""
        found: list[Report | Failed | None] = []
        for text in texts:
            report = attempt(self.restatements, text)
            found.append(report if isinstance(report, Failed) or report.matches or report.candidates_dropped
                         else None)
        return found


@dataclass
class Tokenized:
    """A batch's paragraphs and tokens; ``owner[p]`` is the document of paragraph ``p``."""

    paragraphs: list[list[str]]
    counts: np.ndarray  # paragraphs per document
    tokens: Tokens  # one text per paragraph
    owner: np.ndarray

    def __len__(self) -> int:
        return len(self.paragraphs)

    def token_document(self) -> np.ndarray:
        return self.owner[self.tokens.owner()]

    def paragraph_words(self) -> list[np.ndarray]:
        """Each paragraph's content-word hashes, in order (views of ``tokens.hashes``)."""
        return np.split(self.tokens.hashes, self.tokens.offsets[1:-1])

    def select_documents(self, docs: Sequence[int]) -> "Tokenized":
        """The documents numbered ``docs`` only, in that order."""
        counts = self.counts[np.asarray(docs, dtype=np.int64)]
        starts = _offsets(self.counts)
        rows = [r for d in docs for r in range(starts[d], starts[d + 1])]
        return Tokenized([self.paragraphs[d] for d in docs], counts, self.tokens.select(rows),
                         np.repeat(np.arange(len(docs), dtype=np.int64), counts))

    def by_document(self) -> Tokens:
        """The same tokens, one text per document."""
        counts = np.bincount(self.token_document(), minlength=len(self))
        return Tokens(self.tokens.hashes, self.tokens.sentence, _offsets(counts), self.tokens.numeric)


def fingerprints(hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """An order-free 64-bit identity for each set (0 for an empty set)."""
    sizes = np.diff(offsets)
    out = np.zeros(len(sizes), dtype=np.uint64)
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty):
        mixed = fmix64(hashes.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15))
        out[nonempty] = np.add.reduceat(mixed, offsets[nonempty])
        out[nonempty] = fmix64(out[nonempty] ^ sizes[nonempty].astype(np.uint64)) | np.uint64(1)
    return out


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
