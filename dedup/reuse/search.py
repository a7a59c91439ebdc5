"""Reuse across a corpus: which document pairs share passages, found from sentence seeds, then aligned.

Pass one keeps, of each document, what the candidate search needs and no text, taken from the tokens
every other step uses (``text.tokens``: content words, stop words dropped, lightly stemmed, sentence ends
flagged):

- each content word's IDF bucket, 4 bytes a word, and each sentence's word count and document;
- **copied-run keys**: content-word ``copy_n``-grams whose hash falls in one ``copy_sample``-th of the hash
  space (a choice made by the n-gram alone, so a short run two texts share is keyed in both or in neither),
  and, of every ``copy_window`` consecutive n-grams that hold none of those, the one of least hash
  (winnowing, Schleimer, Wilkerson and Aiken, SIGMOD 2003): two documents sharing a copied run of
  ``copy_n + copy_window - 1`` content words (14: about two sentences) always share a key.

After pass one the corpus's document frequencies are known: words held by more than ``common_share`` of
the documents (and more than ``common_docs``) never key, and each sentence with at least ``min_unit_words``
words left is keyed by every pair of its first ``key_words`` words in hash order (``pair_keys``: a bottom-k
MinHash sketch). Two documents are a candidate when they share ``min_shared`` sentence keys or one
copied-run key; a key held by more than ``max_bucket`` documents (page furniture) pairs nothing. Each
document keeps at most its ``max_partners`` strongest sentence-key partners, the strength of a pair being
the sum over its shared keys of a weight that falls with the key's bucket (``key_weights``): a pair is
aligned when either of its documents keeps it, and a pair sharing a copied-run key always is, so a corpus
of many documents on one topic costs at most ``max_partners`` alignments a document.

Settings of the keys (``KEY_SETTINGS``; ``dedup scan --reuse-keys``): ``"pairs"``, the default, as above.
``"uncommon"`` and ``"all"`` are the keys before it (``key_words=0``): MinHash over a sentence's words in at
most 0.5% of the documents (``uncommon``) or over all its words (``all``, 4 shared keys), cut into
``bands`` x ``rows`` band keys; an index written with them keeps making them. ``uncommon`` finds fewer edited
copies, ``all`` a few more at two to five times the time (docs/benchmarks.md, "Sentence keys as pairs ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from dedup.confirm.idf import HashedIdf
from dedup.reuse.align import AlignSettings
from dedup.reuse.band_keys import minhash_band_keys
from dedup.reuse.furniture import (
    copy_units,
    furniture_forms,
    furniture_limit,
    furniture_units,
    in_furniture,
    sentence_forms,
)
from dedup.reuse.key_rows import (
    copied_run_keys,
    distinct_rows,
    document_chunks,
    joined_rows,
    key_weights,
    shared_rows,
    strongest_partners,
)
from dedup.reuse.pair_keys import bottom_pair_keys
from dedup.reuse.screen import reach
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.lsh_budget import expand
from dedup.sketch.minhash import MinHasher
from dedup.text.tokens import Tokens, TokenTable, tokenize
from dedup.util.arrays import counted, distinct
from dedup.util.validate import check_between, check_fraction, check_int

COPY_WINDOW = 7  # n-grams a copied-run key is winnowed from (``ReuseSearch.copy_window``)
MAX_COPY_WORDS = 1000  # the most ``copy_n``, ``copy_window`` may be: scratch grows with them (10**18: exabytes)
# The most a parameter may be: a huge one failed in the scan, not at construction (2**40 key words: 8 TiB).
_HIGHS = {"key_words": 64, "copy_n": MAX_COPY_WORDS, "copy_window": MAX_COPY_WORDS, "copy_sample": 1 << 62}


@dataclass(frozen=True)
class Seeds:
    """What pass one keeps of a batch for the reuse search (``doc`` numbers count from the batch's first)."""

    words: np.ndarray  # uint32 IDF bucket of each content word, in order
    unit_words: np.ndarray  # int32 words of each sentence, in order (its words follow the sentence before's)
    unit_doc: np.ndarray  # int64 document of each sentence, in order
    copy_keys: np.ndarray  # uint64 copied-run keys, in text order (a run a document repeats may repeat)
    copy_doc: np.ndarray  # int32 document of each, in order
    # The page-furniture rule's (``reuse.furniture``); empty where not known (seeds kept before it): no furniture.
    unit_forms: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))  # uint32 form of each sentence
    copy_units: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint16))  # uint16 sentences of each key

    # The sentence of each word was kept as an int64 a word: at 1,200 words a document, pass one's reuse
    # seeds were 11 KB a document, more than everything else it keeps. Counts a sentence are as exact.


@dataclass
class ReuseSearch:
    """Find the passages documents of a corpus reuse from each other.

    Parameters
    ----------
    key_words : int, default=3
        A sentence is keyed by every pair of its first ``key_words`` words in hash order (``pair_keys``). 0: by MinHash
        bands over its words instead (``bands``, ``rows``; the keys of ``KEY_SETTINGS`` "uncommon" and "all").
    bands, rows : int, default=8, 2
        With ``key_words=0``: MinHash banding of sentence signatures (``bands * rows`` permutations): two rows
        a band keep sentences that share about a third of their words likely to meet.
    min_shared : int, default=2
        Sentence keys two documents must share to be aligned.
    min_unit_words : int, default=2
        Words that may key (not too common) a sentence needs to take part.
    common_share, common_docs : float, int, default=0.05, 10
        A word in more than this share of the documents, and in more than this many, is too common to
        seed reuse; 1.0 drops none (``KEY_SETTINGS["all"]``, see the module docstring).
    copy_n : int, default=8
        Content words of a copied-run key (at most ``MAX_COPY_WORDS``, as ``copy_window``).
    copy_window : int, default=7
        Runs of this many copied-run n-grams none of which is sampled keep their least (see the module
        docstring); 0 keeps the sampled ones only, as indexes written before do (a run then shares a key by
        chance: a copy of 14 content words was missed one time in eight).
    copy_sample, max_bucket : int, default=4, 50
        One copied-run n-gram in this many is kept, by its hash; a key more documents share pairs none of them.
    max_partners : int, default=10
        Sentence-key partners each document keeps, the strongest (``strongest_partners``: those as strong as
        the last kept are kept too, up to twice as many); 0 keeps every pair sharing ``min_shared`` keys.
    screen : float, default=0.8
        A candidate sharing no copied-run key is aligned only when two of its sentence pairs, read from pass
        one's seeds, reach this share of the alignment's seed thresholds, or one reaches it with this share
        of its passage cosine too (``reuse.screen``); 0 aligns every candidate.
    align : AlignSettings, optional
        How a candidate pair is aligned.
    seed : int, default=1
        MinHash seed. Every parameter is checked here (``ValueError``/``TypeError`` naming it).
    """

    key_words: int = 3
    bands: int = 8
    rows: int = 2
    min_shared: int = 2
    min_unit_words: int = 2
    common_share: float = 0.05
    common_docs: int = 10
    copy_n: int = 8
    copy_window: int = COPY_WINDOW
    copy_sample: int = 4
    max_bucket: int = 50
    max_partners: int = 10
    screen: float = 0.8
    align: AlignSettings = field(default_factory=AlignSettings)
    seed: int = 1

    def __post_init__(self) -> None:
        for name, low in (("key_words", 0), ("bands", 1), ("rows", 1), ("min_shared", 1), ("min_unit_words", 1),
                          ("common_docs", 1), ("copy_n", 2), ("copy_window", 0), ("copy_sample", 1), ("max_bucket", 2),
                          ("max_partners", 0)):
            check_int(name, getattr(self, name), low, _HIGHS.get(name))
        if not isinstance(self.align, AlignSettings):  # None or a name failed only in the scan, after pass one
            raise TypeError(f"align must be an AlignSettings, got {type(self.align).__name__}")
        if self.key_words == 1:
            raise ValueError("key_words must be 0 (MinHash bands) or at least 2 (pairs of words), got 1")
        check_fraction("common_share", self.common_share)
        check_between("screen", self.screen, 0.0, 1.0)
        check_int("bands x rows", self.bands * self.rows, 1, 4096)  # ``MinHasher``'s num_perm, no parameter here
        self._hasher = MinHasher(num_perm=self.bands * self.rows, seed=self.seed)
        self._banding = LSHBanding(num_perm=self.bands * self.rows, bands=self.bands, rows=self.rows)

    def params(self) -> dict:
        fields = ("key_words", "bands", "rows", "min_shared", "min_unit_words", "common_share", "common_docs", "copy_n",
                  "copy_window", "copy_sample", "max_bucket", "max_partners", "screen", "seed")
        return {**{name: getattr(self, name) for name in fields},
                **{f"align_{k}": v for k, v in vars(self.align).items()}}

    def seeds(self, tokens: Tokens, token_doc: np.ndarray, buckets: np.ndarray, copy_keys: bool = True) -> Seeds:
        """A batch's seeds from its tokens (``token_doc``: each token's document; ``buckets``: its IDF bucket);
        without ``copy_keys``, none of the copied-run keys nor sentence forms (the restatement screen reads neither)."""
        sentence = tokens.sentence
        starts = np.flatnonzero(np.concatenate(([True], sentence[1:] != sentence[:-1]))) if len(sentence) else \
            np.zeros(0, np.int64)
        unit_doc = token_doc[starts].astype(np.int64)
        keys, key_doc, key_start = copied_run_keys(tokens.hashes if copy_keys else tokens.hashes[:0], token_doc,
                                                   self.copy_n, self.copy_sample, self.copy_window)
        units = np.zeros(0, np.uint16)
        if len(keys) and tokens.numeric is not None:
            units = copy_units(key_start, self.copy_n, starts, unit_doc, token_doc)
        # The sentence forms (page furniture) are the reuse search's alone, as the copied-run keys are.
        forms = sentence_forms(tokens.hashes, tokens.numeric, starts) if copy_keys else np.zeros(0, np.uint32)
        return Seeds(words=buckets.astype(np.uint32), unit_words=np.diff(np.append(starts, len(sentence))).astype(
            np.int32), unit_doc=unit_doc, copy_keys=keys, copy_doc=key_doc.astype(np.int32), unit_forms=forms,
            copy_units=units)

    def furniture(self, seeds: Seeds, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
        """The page furniture of a whole corpus's ``seeds`` (``reuse.furniture``): the sentence forms held by too
        many of its ``n_docs`` documents (sorted), and which of its sentences have one; none where the seeds'
        forms are not known."""
        may = self._may_be_furniture(seeds)
        forms = np.zeros(0, np.uint32) if may is None else furniture_forms(
            seeds.unit_forms, seeds.unit_doc, self.furniture_limit(n_docs), may=may)
        return forms, self.furniture_flags(seeds, forms)

    def form_rows(self, seeds: Seeds) -> tuple[np.ndarray, np.ndarray]:
        """The ``(form, document)`` rows of the sentences that may be page furniture (``_may_be_furniture``)."""
        may = self._may_be_furniture(seeds)
        return (seeds.unit_forms[:0], seeds.unit_doc[:0]) if may is None else (seeds.unit_forms[may],
                                                                                seeds.unit_doc[may])

    def furniture_flags(self, seeds: Seeds, forms: np.ndarray) -> np.ndarray:
        """Which sentences of ``seeds`` are page furniture, given its forms (sorted)."""
        may = self._may_be_furniture(seeds)
        if may is None or not len(forms):
            return np.zeros(len(seeds.unit_doc), bool)
        return may & furniture_units(seeds.unit_forms, forms)

    def _may_be_furniture(self, seeds: Seeds) -> np.ndarray | None:
        """Which sentences may be page furniture: those of ``min_unit_words`` words or more (the form of a
        one-word sentence, "Contents" or "years.", is too many sentences'); None where their forms are not known."""
        return seeds.unit_words >= self.min_unit_words if len(seeds.unit_forms) == len(seeds.unit_doc) else None

    def furniture_limit(self, n_docs: int) -> float:
        """Documents a sentence form may be held by before it is page furniture (``reuse.furniture``)."""
        return furniture_limit(self.max_bucket, self.common_docs, self.common_share, n_docs)

    def candidates(self, seeds: Seeds, df: np.ndarray, n_docs: int) -> np.ndarray:
        """Document pairs ``(a, b)``, ``a < b``, that share ``min_shared`` sentence keys (at most each document's
        ``max_partners`` strongest) or a copied-run key, as a sorted ``(m, 2)`` int64 array (``df``: documents
        per IDF bucket, ``n_docs`` of them)."""
        return self.candidates_of_keys(self.sentence_keys(seeds, df, n_docs), self.copy_keys(seeds), n_docs)

    def candidates_of_keys(self, sentence_rows: tuple[np.ndarray, np.ndarray], copy_rows: tuple[np.ndarray, np.ndarray],
                           n_docs: int) -> np.ndarray:
        """``candidates`` from the seeds' ``sentence_keys`` and ``copy_keys`` rows (see ``candidates_of_codes``)."""
        return self.candidates_of_codes(sentence_rows, self.copied_codes(copy_rows, n_docs), n_docs)

    def copied_codes(self, copy_rows: tuple[np.ndarray, np.ndarray], n_docs: int,
                     drop: np.ndarray | None = None) -> np.ndarray:
        """The distinct pair codes (``pair_codes``) of the documents sharing a copied-run key; ``drop``: rows left
        out (``furniture_keys``)."""
        return distinct(self.pair_codes(*copy_rows, n_docs, drop=drop))

    def candidates_of_codes(self, sentence_rows: tuple[np.ndarray, np.ndarray], copied: np.ndarray, n_docs: int,
                            with_copied: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """``candidates`` from the seeds' ``sentence_keys`` rows and the ``copied_codes`` (a scan computes those
        first and lets the copied-run keys go, then the seeds once it has the sentence keys: each is a large
        part of the seeds); ``with_copied``: also which pairs share a copied-run key (``screened`` aligns those
        whatever their sentences)."""
        codes, _, strength = self.shared_keys(*sentence_rows, n_docs)
        enough = ~np.isin(codes, copied)  # a copied pair takes no partner's place
        kept = self.strongest(codes[enough], strength[enough], n_docs)
        codes = distinct(np.concatenate([kept, copied]))
        pairs = np.stack((codes // max(n_docs, 1), codes % max(n_docs, 1)), axis=1)
        return (pairs, np.isin(codes, copied)) if with_copied else pairs

    def screened(self, seeds: Seeds, pairs: np.ndarray, copied: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """Which candidate ``pairs`` are worth aligning: those sharing a copied-run key (``copied``) and those
        passing ``screen`` (``reuse.screen.Reach.passes``, from ``seeds`` and the corpus ``idf`` per bucket)."""
        keep = np.asarray(copied, dtype=bool).copy()
        if not self.screen:
            keep[:] = True
        elif (~keep).any():
            keep[~keep] = reach(seeds, pairs[~keep], idf, self.align, near=self.screen).passes(self.screen, self.align)
        return keep

    def shared_keys(self, keys: np.ndarray, docs: np.ndarray, n_docs: int) -> tuple[np.ndarray, ...]:
        """The pairs sharing ``min_shared`` sentence keys or more (sorted codes, as ``pair_codes``), how many
        each shares and their summed weights. Pairs are counted a part of the codes at a time (every copy of a
        code in one part), and only those sharing enough are kept: chance pairs sharing a key or two are most of
        a corpus's (5.9 million distinct of 20,000 generated documents, against 4,000 sharing four), and their
        counts never need to be held at once.
        """
        codes, weights = self.pair_codes(keys, docs, n_docs, weighted=True)
        parts = max(1, -(-len(codes) // _PAIRS_PER_PART))
        found = []
        for part in range(parts):
            rows = codes % parts == part if parts > 1 else slice(None)
            part_codes, shared, strength = counted(codes[rows], weights[rows])
            enough = shared >= self.min_shared
            found.append((part_codes[enough], shared[enough], strength[enough]))
        del codes, weights
        order = np.argsort(np.concatenate([f[0] for f in found]), kind="stable")
        return tuple(np.concatenate([f[k] for f in found])[order] for k in range(3))

    def strongest(self, codes: np.ndarray, strength: np.ndarray, n_docs: int) -> np.ndarray:
        """The pair codes (``pair_codes``) that either document keeps among its ``max_partners`` strongest, all
        of them with ``max_partners=0``; ``strength``: each pair's summed key weights."""
        if not self.max_partners or not len(codes):
            return codes
        size = max(n_docs, 1)
        owner = np.concatenate((codes // size, codes % size))
        return distinct(strongest_partners(owner, np.concatenate((codes, codes)),
                                           np.concatenate((strength, strength)), self.max_partners))

    def sentence_keys(self, seeds: Seeds, df: np.ndarray, n_docs: int, uncounted: int | np.ndarray = 0,
                      furniture: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``(band key, document)`` rows of the sentences' uncommon words (see the module docstring), a
        key repeated in a document possibly on more than one row (``pair_codes`` counts it once); documents
        sharing ``min_shared`` keys are candidates. ``uncounted``: documents holding
        each word of ``seeds`` (one number for all, or one per word) that ``df`` does not count yet (texts
        checked against or added to an index); ``furniture``: a flag per sentence (``furniture``), whose words
        key nothing. The rows come in document order.

        Whole documents' words are keyed ``_WORDS_PER_CHUNK`` at a time: the step's temporaries (each word's
        document frequency, its 64-bit hash, the sorted sets) are several times the seeds, so a corpus of
        long documents held them all at once for a moment (rows never span two chunks, so the result is the
        same)."""
        empty = (np.zeros(0, np.uint64), np.zeros(0, np.int32 if self.key_words else np.int64))
        limit = max(self.common_docs, self.common_share * n_docs)
        found = []
        for (w0, w1), (u0, u1) in document_chunks(seeds.unit_words, seeds.unit_doc, _WORDS_PER_CHUNK):
            extra = uncounted[w0:w1] if np.ndim(uncounted) else uncounted
            keys = self._chunk_keys(seeds.words[w0:w1], seeds.unit_words[u0:u1], seeds.unit_doc[u0:u1], df, limit,
                                    extra, None if furniture is None else furniture[u0:u1])
            if keys is not None:
                found.append(keys)
        if not found:
            return empty
        if len(found) == 1:
            return found[0]
        return joined_rows(found)

    def _chunk_keys(self, words: np.ndarray, unit_words: np.ndarray, unit_doc: np.ndarray, df: np.ndarray,
                    limit: float, uncounted: int | np.ndarray,
                    furniture: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """``sentence_keys`` of whole documents' seeds, None when they have none."""
        if np.ndim(uncounted):
            uncommon = df[words] + uncounted <= limit
        else:  # a gather from a byte a bucket, not 8: a scan's millions of words (0.1 -> 0.03 s on 20,000 docs)
            uncommon = (df <= limit - uncounted)[words]
        at = np.flatnonzero(uncommon)
        # Each kept word's sentence, found for the kept words only (most of a corpus's words are common).
        units = np.searchsorted(np.cumsum(unit_words, dtype=np.int64), at, side="right")
        if furniture is not None and furniture.any():
            plain = ~furniture[units]
            at, units = at[plain], units[plain]
        n_units = len(unit_doc)
        if not len(at) or not n_units:
            return None
        if self.key_words:
            keys, key_units = bottom_pair_keys(words[at], units, self.key_words, self.min_unit_words)
            # Documents as int32 (4 bytes a key row less: the rows of a corpus's sentences are held until paired).
            return (keys, unit_doc[key_units].astype(np.int32)) if len(keys) else None
        keys, key_units = minhash_band_keys(words[at], units, n_units, self.min_unit_words, self._hasher,
                                            self._banding)
        return (keys, unit_doc[key_units]) if len(keys) else None

    def copy_keys(self, seeds: Seeds, furniture: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``(copied-run key, document)`` rows; one key two documents share makes a candidate. ``furniture``:
        a flag per sentence (``furniture``); a key with a word in a furniture sentence is left out (a corpus's
        keys: ``furniture_keys`` to ``copied_codes``, which copies no row)."""
        drop = self.furniture_keys(seeds, furniture)
        if not len(drop):
            return seeds.copy_keys, seeds.copy_doc
        kept = np.ones(len(seeds.copy_keys), dtype=bool)
        kept[drop] = False
        return seeds.copy_keys[kept], seeds.copy_doc[kept]

    def furniture_keys(self, seeds: Seeds, furniture: np.ndarray | None) -> np.ndarray:
        """The positions of the copied-run keys with a word in a furniture sentence (``furniture``: a flag per
        sentence), sorted."""
        if furniture is None or len(seeds.copy_units) != len(seeds.copy_keys):
            return np.zeros(0, np.int64)
        return in_furniture(seeds.copy_units, seeds.copy_doc, seeds.unit_doc, furniture)

    def document_keys(self, seeds: Seeds, df: np.ndarray, n_docs: int, uncounted: int | np.ndarray = 0,
                      furniture: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ``(key, document)`` rows of a few documents' ``seeds``, both kinds in one key space (an
        index keeps them): a sentence key's lowest bit is 0, a copied-run key's 1 (``is_copy_key``).

        ``df`` and ``n_docs`` are the document frequencies the common words are told by: an index's as it
        stands when the documents are added (its sentence keys drop the words common then); ``uncounted`` as
        in ``sentence_keys``; ``furniture``: the page furniture's sentence forms (sorted), whose sentences key
        nothing. The rows come sorted by document, then key.
        """
        flags = None if furniture is None else self.furniture_flags(seeds, furniture)
        sentence, sentence_doc = self.sentence_keys(seeds, df, n_docs, uncounted, flags)
        copied, copied_doc = self.copy_keys(seeds, flags)
        one = np.uint64(1)
        keys = np.concatenate([sentence.astype(np.uint64) << one, (copied.astype(np.uint64) << one) | one])
        keys, docs = distinct_rows(keys, np.concatenate([sentence_doc, copied_doc]).astype(np.int64))
        return keys.view(np.int64), docs

    def documents_sharing(self, keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The documents a text's ``document_keys`` make candidates, from the distinct ``(key, document)``
        rows of the documents that share one of its keys (keys held by more than ``max_bucket`` documents
        already left out): those sharing ``min_shared`` sentence keys or one copied-run key, sorted."""
        if not len(keys):
            return np.zeros(0, np.int64)
        copy = is_copy_key(keys)
        by_sentence, shared = np.unique(docs[~copy], return_counts=True)
        return np.union1d(by_sentence[shared >= self.min_shared], docs[copy]).astype(np.int64)

    def pair_codes(self, keys: np.ndarray, docs: np.ndarray, n_docs: int, weighted: bool = False,
                   drop: np.ndarray | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """``min * n_docs + max`` of every two documents sharing a key, once per key (a key on several rows of
        one document counts once); keys of more than ``max_bucket`` documents are skipped. ``weighted``: also
        each code's key weight (``key_weights`` of its key's bucket size), as a second array; ``drop``: rows
        (positions) left out."""
        empty = np.zeros(0, np.int64)
        keys, docs = shared_rows(keys, docs, drop)
        if not len(keys):
            return (empty, empty) if weighted else empty
        docs = docs.astype(np.int64)  # pair codes are products of document numbers
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        new_key = np.concatenate(([True], keys[1:] != keys[:-1]))
        once = new_key | np.concatenate(([True], docs[1:] != docs[:-1]))  # a key repeated in a document: once
        if not once.all():
            keys, docs, new_key = keys[once], docs[once], new_key[once]
        starts = np.flatnonzero(new_key)
        sizes = np.diff(np.append(starts, len(keys)))
        usable = (sizes >= 2) & (sizes <= self.max_bucket)
        if not usable.any():
            return (empty, empty) if weighted else empty
        blocks = expand(docs, starts[usable], sizes[usable], n_docs)
        codes = np.concatenate(blocks)
        if not weighted:
            return codes
        # ``expand`` gives one block per bucket size, the sizes in increasing order.
        block_sizes = np.unique(sizes[usable])
        # int16: a weight is at most 64, and the codes' copies are the step's largest arrays.
        return codes, np.repeat(key_weights(block_sizes, n_docs).astype(np.int16), [len(b) for b in blocks])

    def candidates_of_texts(self, texts: Sequence[str]) -> np.ndarray:
        """``candidates`` of a few texts in memory, tokenized as a corpus scan tokenizes them (for tests and
        benchmarks; a scan keeps ``seeds`` batch by batch)."""
        seeds, df = self.seeds_of_texts(texts)
        return self.candidates(seeds, df, len(texts))

    def seeds_of_texts(self, texts: Sequence[str]) -> tuple[Seeds, np.ndarray]:
        """The ``seeds`` of a few texts in memory, as a corpus scan keeps them, and their documents per IDF
        bucket (for tests and benchmarks)."""
        from dedup.text.segment import split_paragraphs

        paragraphs = [split_paragraphs(t) for t in texts]
        tokens = tokenize([p for ps in paragraphs for p in ps], TokenTable())
        paragraph_doc = np.repeat(np.arange(len(texts)), [len(p) for p in paragraphs])
        token_doc = paragraph_doc[tokens.owner()]
        idf = HashedIdf()
        buckets = idf.buckets(tokens)
        df = np.bincount(distinct_rows(buckets.astype(np.uint64), token_doc)[0].astype(np.int64),
                         minlength=idf.n_features)
        return self.seeds(tokens, token_doc, buckets), df


# The two settings of the sentence keys (see the module docstring): ``ReuseSearch(**KEY_SETTINGS[name])``.
KEY_SETTINGS: dict[str, dict[str, Any]] = {
    "pairs": {"key_words": 3, "common_share": 0.05, "min_shared": 2, "min_unit_words": 2},
    "uncommon": {"key_words": 0, "common_share": 0.005, "min_shared": 3, "min_unit_words": 3},
    "all": {"key_words": 0, "common_share": 1.0, "min_shared": 4, "min_unit_words": 3},
}
_PAIRS_PER_PART = 1_000_000  # pair codes counted at once (``shared_keys``)
_WORDS_PER_CHUNK = 1_000_000  # words keyed at once (``sentence_keys``, whole documents): 35 bytes a word of scratch


def is_copy_key(keys: np.ndarray) -> np.ndarray:
    """Which keys of ``ReuseSearch.document_keys`` are copied-run keys (the others are sentence keys)."""
    return (keys & 1).astype(bool)
