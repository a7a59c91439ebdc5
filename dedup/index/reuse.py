"""The reuse search of an index (mixed into ``dedup.Index``): the passages a checked text shares with indexed
documents it does not near-duplicate, aligned to the character in both, as a corpus scan finds them.

The same search as the scan's (``reuse.search.ReuseSearch``, ``reuse.align``), one text against the index:
each document is stored with its text as added and its reuse keys (sentence keys over its uncommon words,
and copied-run keys); a checked text's keys are looked up, the documents sharing ``min_shared`` sentence keys
or one copied-run key are candidates (a key held by more than ``max_bucket`` documents pairs nothing), and
each is aligned with the text, words weighed by the index's IDF.

Which words are common is told by the index's document frequencies when a document is added (a small index
drops fewer): a document added early keeps more words in its sentence keys than a text checked later, so a
reworded sentence, or a copy shorter than a copied-run key (14 content words copied always share one: those keys
do not depend on the frequencies), could miss it. So the documents keyed while the index held fewer than
``store.YOUNG_INDEX`` are keyed again each time the index has doubled since (``_rekey_young``, a few before each
batch is added), until they are keyed at that many or more: then the frequencies are those of a corpus, and
keys made later agree with them as a scan's do (docs/guarantees.md).

Page furniture (``reuse.furniture``) is told as a scan tells it: each document is stored with its sentences'
forms, and a checked text's forms held by more indexed documents than ``ReuseSearch.furniture_limit`` (of the
index's size) are furniture: their sentences key nothing, and a passage of furniture alone is not reported.
Documents stored before forms were kept hold none, so an index adopted from an older dedup tells furniture
by the documents added since.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from dedup.article.screen import restated_by_rule
from dedup.corpus.pass_one import Tokenized, paragraphs_of
from dedup.index.params import compared
from dedup.index.store import IndexStoreError
from dedup.index.verdicts import Verdict
from dedup.records import Report, Reuse
from dedup.reuse.align import align_many
from dedup.reuse.furniture import without_furniture
from dedup.reuse.key_rows import distinct_rows
from dedup.reuse.restating import restating
from dedup.reuse.search import ReuseSearch, Seeds
from dedup.reuse.unit_rows import word_idf
from dedup.text.segment import segment
from dedup.util.faults import Failed, attempt

MAX_ALIGNED = 50  # indexed documents a checked text is aligned with, those sharing the most keys first
# Documents keyed young that are keyed again before a batch is added: this many, and two for each document of
# the batch (on average about one becomes due an add, so the due ones never pile up; and a batch of many adds
# pays in proportion).
REKEYED_A_BATCH = 32
REKEY_GROWTH = 2  # keyed again once the index holds this many times the documents it was keyed at


class IndexReuse:
    """``_searched``, ``_reuse_keys``, ``_reused``, ``_restated`` and ``_may_restate`` of ``Index`` (its
    ``reuse_search``, ``idf``, ``store``, ``signer``, ``detector``, ``reuse`` assumed)."""

    reuse_search: ReuseSearch

    def _reuse_rows(self, tokenized: Tokenized) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The ``(key, document)`` rows of a batch of documents being added (``_keys``), and their distinct
        ``(sentence form, document)`` rows (int64: the index counts the documents holding a form)."""
        seeds, uncounted = self._seeds(tokenized)
        forms, docs = distinct_rows(*self.reuse_search.form_rows(seeds))
        return self._keys(tokenized, seeds, uncounted), (forms.astype(np.int64), docs)

    def _rekey_young(self, batch: int) -> int:
        """Key again the documents keyed while the index held at most half the documents it holds now (only those
        keyed while it was young are kept for it: ``store.young_rows``), earliest first, at most
        ``REKEYED_A_BATCH + 2 * batch`` of them; how many were. The index's frequencies are assumed current.
        Their texts are read before the store's write: ``store.rekey`` keys a document only if its text is still
        the one read (another process may have removed it, and SQLite give its row to a new document), and lets
        go of the rows found without a document (removed by a dedup that kept no young documents)."""
        n_docs, keyed_by = self.idf.n_docs, int(self.idf.n_docs / REKEY_GROWTH)
        rows = self.store.young_rows(keyed_by, REKEYED_A_BATCH + 2 * batch)
        if not rows:
            return 0
        texts = self.store.texts_of(rows)
        keyed = [row for row in rows if row in texts]
        documents = []
        if keyed:
            tokenized = self.signer.tokenize_paragraphs([paragraphs_of(texts[row][1]) for row in keyed])
            keys, owner = self._keys(tokenized, self._seeds(tokenized)[0], 0, counted=True)
            bounds = np.searchsorted(owner, np.arange(len(keyed) + 1))  # the rows come in document order
            documents = [(row, texts[row][1], keys[bounds[k]:bounds[k + 1]]) for k, row in enumerate(keyed)]
        return self.store.rekey(documents, n_docs, keyed_by, gone=[row for row in rows if row not in texts])

    def _seeds(self, tokenized: Tokenized) -> tuple[Seeds, np.ndarray]:
        """The reuse seeds of a batch's documents (one checked text, or a batch being added) and, per word, the
        batch's documents holding it: each word is counted in the document frequencies as if the batch were
        indexed, the index's count plus those."""
        tokens = tokenized.tokens
        token_doc, buckets = tokenized.token_document(), self.idf.buckets(tokens)
        held, holders = np.unique(np.unique(token_doc * self.idf.n_features + buckets) % self.idf.n_features,
                                  return_counts=True)
        return self.reuse_search.seeds(tokens, token_doc, buckets), holders[np.searchsorted(held, buckets)]

    def _keys(self, tokenized: Tokenized, seeds: Seeds, uncounted: np.ndarray | int,
              furniture: np.ndarray | None = None, counted: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``ReuseSearch.document_keys`` of ``_seeds``, none of the page furniture's sentences (``furniture``).
        ``counted``: the documents are in the index's frequencies already (documents keyed again, or a checked
        text whose id is indexed: counted twice, a word on the line between rare and common crossed it, and the
        text missed sources a scan of the same documents finds)."""
        if counted:
            return self.reuse_search.document_keys(seeds, self.idf.df, self.idf.n_docs, furniture=furniture)
        return self.reuse_search.document_keys(seeds, self.idf.df, self.idf.n_docs + len(tokenized.counts),
                                               uncounted=uncounted, furniture=furniture)

    def _furniture(self, seeds: Seeds, own_row: int) -> np.ndarray:
        """The forms (sorted uint32) of a checked text's sentences that more indexed documents than the furniture
        limit hold, its own entry (``own_row``) left out."""
        forms = np.unique(self.reuse_search.form_rows(seeds)[0]).astype(np.int64)
        limit = int(self.reuse_search.furniture_limit(self.idf.n_docs))
        found = self.store.furniture_forms(forms.tolist(), limit, own_row) if len(forms) else forms
        return np.sort(np.asarray(found, np.int64).astype(np.uint32))

    def _seeds_once(self, tokenized: Tokenized) -> Callable[[], tuple[Seeds, np.ndarray]] | None:
        """``_seeds`` of a checked text, made on first use and kept for the check: the restatement screen reads them
        too (``_may_restate``). None with reuse off."""
        return functools.cache(lambda: self._seeds(tokenized)) if self.reuse else None

    def _searched(self, verdict: Verdict, tokenized: Tokenized, own_row: int, duplicates: set[str],
                  seeds_of: Callable[[], tuple[Seeds, np.ndarray]]) -> None:
        """A check's restatement and reuse searches (where the index makes them), each guarded: one that raises
        on this text (a fault of dedup's) leaves its results empty and its error in ``verdict.failed``, and the
        check's other results stand. A store's failure is raised."""
        doc_id, text = verdict.id, verdict.text
        if self.detector is not None:
            found = attempt(self._restated, doc_id, text, tokenized, seeds_of, raises=(IndexStoreError,))
            if isinstance(found, Failed):
                verdict.failed["restatement_search"] = found.error
            else:
                verdict.restated = found
        if self.reuse:
            found = attempt(self._reused, doc_id, text, tokenized, own_row, duplicates, seeds_of,
                            raises=(IndexStoreError,))
            if isinstance(found, Failed):
                verdict.failed["reuse_search"] = found.error
            else:
                verdict.reuse = found

    def _reused(self, doc_id: str, text: str, tokenized: Tokenized, own_row: int, skip: set[str],
                seeds_of: Callable[[], tuple[Seeds, np.ndarray]] | None = None) -> list[Reuse]:
        """The passages ``text`` shares with indexed documents, ``skip`` (ids: its near-duplicates) and its own
        entry (``own_row``) left out, and passages of page furniture alone (``seeds_of``: ``_seeds`` of the text,
        made once a check)."""
        seeds, uncounted = seeds_of() if seeds_of else self._seeds(tokenized)
        counted = own_row >= 0  # its id indexed: the text taken as the one counted
        keys, _ = self._keys(tokenized, seeds, uncounted, counted=counted)
        if not len(keys):
            return []
        found_keys, found_docs = self.store.documents_with_reuse_keys(keys.tolist(), self.reuse_search.max_bucket)
        other = compared(found_docs, own_row)
        if not other.any():  # most checked pages: no key of theirs is elsewhere, and furniture is not asked
            return []
        furniture = self._furniture(seeds, own_row)
        if len(furniture):  # the keys of furniture sentences pair nothing: a subset of the keys looked up
            other &= np.isin(found_keys, self._keys(tokenized, seeds, uncounted, furniture, counted)[0])
        candidates = self.reuse_search.documents_sharing(found_keys[other], found_docs[other])
        if not len(candidates):
            return []
        shared = np.bincount(np.searchsorted(candidates, found_docs[np.isin(found_docs, candidates)]),
                             minlength=len(candidates))
        ranked = candidates[np.lexsort((candidates, -shared))][:MAX_ALIGNED]
        texts = self.store.texts_of(sorted(ranked.tolist()))
        pairs = [(doc_id, text, other_id, other_text) for row, (other_id, other_text) in sorted(texts.items())
                 if other_id not in skip]
        # Symmetric, as a scan aligns: the same passages whichever of the two pages was indexed first.
        found = align_many(pairs, self.reuse_search.align, word_idf(self.idf.idf()), symmetric=True)
        return without_furniture(found, furniture, self.signer.table, self.reuse_search.min_unit_words)

    def _restated(self, doc_id: str, text: str, tokenized: Tokenized,
                  seeds_of: Callable[[], tuple[Seeds, np.ndarray]] | None = None) -> Report:
        """The restatements of a checked text (one document): ``detector``'s search where ``_may_restate``, else
        its paragraphs and no match, as the search would find."""
        run_words = self.detector.confirmer.min_shared_words
        if len(tokenized.paragraphs[0]) >= 2 and self._may_restate(tokenized, run_words, seeds_of):
            return self.detector.detect(text, doc_id=doc_id)
        return Report(id=doc_id, paragraphs=segment(text))

    def _may_restate(self, tokenized: Tokenized, run_words: int,
                     seeds_of: Callable[[], tuple[Seeds, np.ndarray]] | None = None) -> bool:
        """Whether a checked text (one document) is worth its restatement search, by the corpus scan's screen
        (``article.screen``, ``reuse.restating``) under the index's document frequencies. The text is not
        counted in them: a word may count as uncommon one document early, never the other way. An index
        whose tokens keep stop words or are not stemmed reads other words than the detector's: always worth it.
        ``seeds_of``: the reuse search's seeds of the text (the screen reads their words and sentences, the same
        with or without the copied-run keys), so that a check with reuse on makes them once."""
        table = self.signer.table
        if not (table.stop_words and table.stem):
            return True
        if restated_by_rule(tokenized.paragraphs[0], tokenized.paragraph_words()):
            return True
        if seeds_of:
            seeds = seeds_of()[0]
        else:
            tokens = tokenized.tokens
            seeds = self.reuse_search.seeds(tokens, tokenized.token_document(), self.idf.buckets(tokens), False)
        return bool(restating(seeds, self.idf.df, self.idf.n_docs + 1, run_words=run_words, size=1)[0])
