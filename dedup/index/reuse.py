"""The reuse search of an index (mixed into ``dedup.Index``): the passages a checked text shares with indexed
documents it does not near-duplicate, aligned to the character in both, as a corpus scan finds them.

The same search as the scan's (``reuse.search.ReuseSearch``, ``reuse.align``), one text against the index:
each document is stored with its text as added and its reuse keys (sentence keys over its uncommon words,
and copied-run keys); a checked text's keys are looked up, the documents sharing ``min_shared`` sentence keys
or one copied-run key are candidates (a key held by more than ``max_bucket`` documents pairs nothing), and
each is aligned with the text, words weighed by the index's IDF.

Which words are common is told by the index's document frequencies when a document is added (a small index
drops fewer): a document added early keeps a few more words in its sentence keys than a text checked later,
which lowers the chance that a reworded sentence meets it, not that a copied one does (its copied-run keys
do not depend on the frequencies).
"""

from __future__ import annotations

import numpy as np

from dedup.article.screen import restated_by_rule
from dedup.corpus.pass_one import Tokenized
from dedup.records import Report, Reuse
from dedup.reuse.align import align_many
from dedup.reuse.restating import restating
from dedup.reuse.search import ReuseSearch, word_idf
from dedup.text.segment import segment

MAX_ALIGNED = 50  # indexed documents a checked text is aligned with, those sharing the most keys first


class IndexReuse:
    """``_reuse_keys``, ``_reused`` and ``_may_restate`` of ``Index`` (its ``reuse_search``, ``idf``, ``store``,
    ``signer``, ``detector`` assumed)."""

    reuse_search: ReuseSearch

    def _reuse_keys(self, tokenized: Tokenized) -> tuple[np.ndarray, np.ndarray]:
        """The ``(key, document)`` rows of a batch's documents (one checked text, or a batch being added), each
        word counted in the document frequencies as if the batch were indexed: the index's count plus the
        batch's documents that hold it."""
        tokens = tokenized.tokens
        token_doc, buckets = tokenized.token_document(), self.idf.buckets(tokens)
        held, holders = np.unique(np.unique(token_doc * self.idf.n_features + buckets) % self.idf.n_features,
                                  return_counts=True)
        return self.reuse_search.document_keys(
            tokens, token_doc, buckets, self.idf.df, self.idf.n_docs + len(tokenized.counts),
            uncounted=holders[np.searchsorted(held, buckets)])

    def _reused(self, doc_id: str, text: str, tokenized: Tokenized, own_row: int, skip: set[str]) -> list[Reuse]:
        """The passages ``text`` shares with indexed documents, ``skip`` (ids: its near-duplicates) and its own
        entry (``own_row``) left out."""
        keys, _ = self._reuse_keys(tokenized)
        if not len(keys):
            return []
        found_keys, found_docs = self.store.documents_with_reuse_keys(keys.tolist(), self.reuse_search.max_bucket)
        other = found_docs != own_row
        candidates = self.reuse_search.documents_sharing(found_keys[other], found_docs[other])
        if not len(candidates):
            return []
        shared = np.bincount(np.searchsorted(candidates, found_docs[np.isin(found_docs, candidates)]),
                             minlength=len(candidates))
        ranked = candidates[np.lexsort((candidates, -shared))][:MAX_ALIGNED]
        texts = self.store.texts_of(sorted(ranked.tolist()))
        pairs = [(doc_id, text, other_id, other_text) for row, (other_id, other_text) in sorted(texts.items())
                 if other_id not in skip]
        return align_many(pairs, self.reuse_search.align, word_idf(self.idf.idf()))

    def _restated(self, doc_id: str, text: str, tokenized: Tokenized) -> Report:
        """The restatements of a checked text (one document): ``detector``'s search where ``_may_restate``, else
        its paragraphs and no match, as the search would find."""
        if len(tokenized.paragraphs[0]) >= 2 and self._may_restate(tokenized, self.detector.confirmer.min_shared_words):
            return self.detector.detect(text, doc_id=doc_id)
        return Report(id=doc_id, paragraphs=segment(text))

    def _may_restate(self, tokenized: Tokenized, run_words: int) -> bool:
        """Whether a checked text (one document) is worth its restatement search, by the corpus scan's screen
        (``article.screen``, ``reuse.restating``) under the index's document frequencies. The text is not
        counted in them: a word may count as uncommon one document early, never the other way. An index
        whose tokens keep stop words or are not stemmed reads other words than the detector's: always worth it."""
        table = self.signer.table
        if not (table.stop_words and table.stem):
            return True
        if restated_by_rule(tokenized.paragraphs[0], tokenized.paragraph_words()):
            return True
        tokens = tokenized.tokens
        seeds = self.reuse_search.seeds(tokens, tokenized.token_document(), self.idf.buckets(tokens), False)
        return bool(restating(seeds, self.idf.df, self.idf.n_docs + 1, run_words=run_words, size=1)[0])
