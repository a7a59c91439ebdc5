"""Which documents of a corpus may restate themselves: the restatement search's cheap first step in a scan.

The search inside one document (``article.detector``) costs milliseconds a document whatever it finds, most of
it fitting the confirm stage. A document is worth it only when two of its sentences share what a restatement
keeps; read from pass one's reuse seeds (each sentence's content words, as IDF buckets) once the corpus's
document frequencies are known, a corpus's documents are sorted out at once:

- two sentences sharing ``min_shared`` distinct uncommon words (held by at most ``limit`` documents, the reuse
  keys' rule): the corpus's common words are shared by unrelated sentences everywhere;
- or two sentences sharing a run of ``run_words`` content words, common or not (the confirm stage's copied-run
  rule, ``min_shared_words``).

The other routes of the search (a headline, amounts that agree) are read from the text in pass one
(``article.screen``). What neither finds is searched no further: on generated random-word documents that is
96% of them; on real text few (docs/benchmarks.md, "Documents that may restate themselves").

A corpus of at most ``COMMON_DOCS / COMMON_SHARE`` documents (200) has too few to tell a common word from a
rare one by its share: every document is searched, so a scan of one article or of a few reports what
``find_redundancy`` reports for each.
"""

from __future__ import annotations

import numpy as np

from dedup.reuse.key_rows import document_chunks, run_hashes
from dedup.reuse.search import Seeds
from dedup.sketch.lsh_budget import expand

# A word held by more than this share of the documents (and more than ``COMMON_DOCS``) is common: the reuse
# keys' rule (``ReuseSearch.common_share``), chosen for this screen too (docs/benchmarks.md).
COMMON_SHARE = 0.05
COMMON_DOCS = 10
MIN_SHARED = 2  # uncommon words two sentences share
_WORDS_PER_CHUNK = 1 << 20  # the step's temporaries are several arrays of 8 bytes a word: whole documents at a time
# Sentences of one document holding one uncommon word beyond which its pairs are not counted: the document is
# searched instead (a name in every sentence of a long text would otherwise give quadratically many pairs).
MAX_SENTENCES_A_WORD = 64


def restating(seeds: Seeds, df: np.ndarray, n_docs: int, run_words: int = 5, min_shared: int = MIN_SHARED,
              common_share: float = COMMON_SHARE, size: int | None = None) -> np.ndarray:
    """``restating_documents`` of ``seeds`` (``df``: documents per IDF bucket of a corpus of ``n_docs``),
    ``_WORDS_PER_CHUNK`` words of whole documents at a time; a word is common in more than ``common_share`` of
    the documents and more than ``COMMON_DOCS``; all True in a corpus too small for that to bind (see the
    module docstring). ``size``: documents the seeds number (``n_docs`` unless the seeds are a part of the
    corpus, numbered from 0)."""
    size = n_docs if size is None else size
    if n_docs * common_share <= COMMON_DOCS:  # too few documents to say which words are common: search them all
        return np.ones(size, dtype=bool)
    found = np.zeros(size, dtype=bool)
    limit = max(COMMON_DOCS, common_share * n_docs)
    for (w0, w1), (u0, u1) in document_chunks(seeds.unit_words, seeds.unit_doc, _WORDS_PER_CHUNK):
        found |= restating_documents(seeds.words[w0:w1], seeds.unit_words[u0:u1], seeds.unit_doc[u0:u1], df,
                                     size, limit, min_shared, run_words)
    return found


def restating_documents(words: np.ndarray, unit_words: np.ndarray, unit_doc: np.ndarray, df: np.ndarray,
                        n_docs: int, limit: float, min_shared: int = MIN_SHARED, run_words: int = 5) -> np.ndarray:
    """Whether each of ``n_docs`` documents has two sentences sharing ``min_shared`` uncommon words or a run of
    ``run_words`` content words (0: no run rule).

    Parameters
    ----------
    words : ndarray of uint32
        Each content word's IDF bucket, sentence after sentence (``Seeds.words``).
    unit_words, unit_doc : ndarray
        Each sentence's word count and document (``Seeds.unit_words``, ``Seeds.unit_doc``), in order; the
        documents count from 0 and are below ``n_docs``.
    df : ndarray
        Documents holding each bucket.
    limit : float
        A word held by more documents is common.

    Returns
    -------
    ndarray of bool
        One flag a document.
    """
    found = np.zeros(n_docs, dtype=bool)
    if not len(words):
        return found
    unit_words, unit_doc = np.asarray(unit_words, dtype=np.int64), np.asarray(unit_doc, dtype=np.int64)
    unit_of_word = np.repeat(np.arange(len(unit_words), dtype=np.int64), unit_words)
    doc_of_word = unit_doc[unit_of_word]
    uncommon = np.flatnonzero(df[words] <= limit)
    _shared_words(words[uncommon].astype(np.int64), unit_of_word[uncommon], doc_of_word[uncommon], min_shared,
                  unit_doc, found)
    if run_words:
        _shared_runs(words, unit_of_word, doc_of_word, run_words, found)
    return found


def _shared_words(words: np.ndarray, units: np.ndarray, docs: np.ndarray, min_shared: int, unit_doc: np.ndarray,
                  found: np.ndarray) -> None:
    """Flag in ``found`` the documents two of whose sentences share ``min_shared`` of ``words`` (``units``: each
    word's sentence, in ascending order as sentences are numbered; ``docs``: its document; ``unit_doc``: each
    sentence's document)."""
    if not len(words):
        return
    # Distinct (document, word, sentence), sorted so that each (document, word) is one run of its sentences.
    order = _by_document_and_word(docs, words, units)
    docs, words, units = docs[order], words[order], units[order]
    fresh = np.concatenate(([True], (docs[1:] != docs[:-1]) | (words[1:] != words[:-1]) | (units[1:] != units[:-1])))
    docs, words, units = docs[fresh], words[fresh], units[fresh]
    new = np.concatenate(([True], (docs[1:] != docs[:-1]) | (words[1:] != words[:-1])))
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(docs)))
    found[docs[starts[sizes > MAX_SENTENCES_A_WORD]]] = True
    shared = (sizes >= 2) & (sizes <= MAX_SENTENCES_A_WORD)
    if not shared.any():
        return
    n_units = int(units.max()) + 1
    # Every two sentences holding a word, as ``min * n_units + max`` (the LSH buckets' expansion).
    pairs, counts = np.unique(np.concatenate(expand(units, starts[shared], sizes[shared], n_units)),
                              return_counts=True)
    found[unit_doc[pairs[counts >= min_shared] // n_units]] = True


def _by_document_and_word(docs: np.ndarray, words: np.ndarray, units: np.ndarray) -> np.ndarray:
    """The order of ``np.lexsort((units, words, docs))``, for ``units`` in ascending order: a stable sort of one
    packed (document, word) key keeps each key's sentences in their order, and took a sixth of the three-key sort's
    time on a scan's million words (docs/benchmarks.md)."""
    low = int(docs.min())
    width = int(words.max()) + 1
    if (int(docs.max()) - low) * width + width >= 1 << 62:  # too wide to pack (never with IDF buckets)
        return np.lexsort((units, words, docs))
    return np.argsort((docs - low) * width + words, kind="stable")


def shared_runs(seeds: Seeds, n_docs: int, n: int) -> np.ndarray:
    """Whether each of the ``n_docs`` documents of ``seeds`` has two sentences sharing a run of ``n`` content words
    (0: none has): the run rule of ``restating_documents`` alone, which needs no document frequency (a scan's
    pass one reads it batch by batch)."""
    found = np.zeros(n_docs, dtype=bool)
    if n and len(seeds.words):
        units = np.repeat(np.arange(len(seeds.unit_words), dtype=np.int64), seeds.unit_words)
        _shared_runs(seeds.words, units, np.asarray(seeds.unit_doc, dtype=np.int64)[units], n, found)
    return found


def _shared_runs(words: np.ndarray, units: np.ndarray, docs: np.ndarray, n: int, found: np.ndarray) -> None:
    """Flag in ``found`` the documents two of whose sentences share a run of ``n`` words (inside sentences)."""
    if len(words) < n:
        return
    grams = run_hashes(words.astype(np.uint64), n)
    inside = units[:len(grams)] == units[n - 1:]
    gram_units, gram_docs = units[:len(grams)][inside], docs[:len(grams)][inside]
    # One 64-bit key a (document, run): equal keys sort together, and a run two sentences share has two
    # neighbours of one key from different sentences (a chance collision only searches a document more).
    keys = grams[inside] ^ (gram_docs.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    order = np.argsort(keys)
    keys, gram_units, gram_docs = keys[order], gram_units[order], gram_docs[order]
    again = (keys[1:] == keys[:-1]) & (gram_units[1:] != gram_units[:-1])
    found[gram_docs[1:][again]] = True
