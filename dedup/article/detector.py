"""The single-article pipeline: segment, shingle, sign, LSH, confirm, group."""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import replace
from typing import Mapping

import numpy as np

from dedup.article.amounts import REASON as AMOUNTS
from dedup.article.amounts import agreed_amounts, confirmed_by_amounts, sentence_pairs
from dedup.article.candidates import GENERATED_PER_CANDIDATE, MIN_GENERATED, CandidateSearch, SignedArticle
from dedup.article.claims import match_kind, name_run, names_only, title_like
from dedup.article.evidence import Cosines, TokenMemo, candidate_spans, sentence_at, title_restated
from dedup.article.rerank_step import FIT_LIMIT, RerankStep
from dedup.cluster.groups import group_matches
from dedup.confirm.agreement import AgreementModel, Claims, contradicts, default_agreement
from dedup.confirm.modes import CONFIRM_MODES
from dedup.confirm.reranker import Reranker, default_reranker
from dedup.confirm.rules import TfidfConfirmer
from dedup.confirm.spans import SharedSpan, Unbuilt
from dedup.records import CandidatePair, Match, Paragraph, Report, SentencePair, Span
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.minhash import MinHasher, estimate_containment, estimate_jaccard, merge
from dedup.sketch.shingle import Shingler, union
from dedup.text.segment import segment
from dedup.util.validate import (
    check_fraction,
    check_int,
    check_str,
    positional_doc_id,
    refuses_two_values,
)

# What confirms a pair by its scores alone (the reranker's probability, the TF-IDF cosines): two headings are not
# restated on that alone (``confirm``).
_LETTER = re.compile(r"[^\W\d_]")
_SCORES_ONLY = frozenset({"reranker", "paragraph_cosine", "sentence_cosine"})


_RENAMED = {"threshold": "paragraph_cosine_threshold", "sentence_threshold": "sentence_cosine_threshold",
            "reranker_threshold": "probability_threshold"}


class Detector(CandidateSearch, RerankStep):
    """Find paragraphs of one article that restate each other.

    Parameters
    ----------
    k : int, default=1
        Words per shingle. Restatements are reworded, so single content words
        (after stop-word removal and light stemming) keep them findable;
        ``benchmarks/article_quality.py`` measures the choice.
    stop_words, stem : bool, default=True
        Token normalization before shingling and TF-IDF.
    num_perm : int, default=128
        MinHash signature length.
    seed : int, default=1
        MinHash permutation seed (datasketch's default).
    lsh_threshold : float, default=0.1
        Jaccard similarity the LSH bands are tuned to; candidates below it are
        mostly not generated. Kept low because restatements share few words.
    paragraph_cosine_threshold : float, optional
        Paragraph TF-IDF cosine (formerly ``threshold``). With ``confirm="tfidf"`` it confirms a
        candidate on its own; with ``confirm="learned"`` the reranker decides,
        and it changes nothing (every confirmed match lists its best sentence
        pair as evidence). Default: 0.45 with either confirm stage
        (``_LEARNED_DEFAULTS``, ``_TFIDF_DEFAULTS``).
    sentence_cosine_threshold : float, optional
        Sentence-pair TF-IDF cosine (formerly ``sentence_threshold``). With ``confirm="tfidf"`` a sentence pair
        this close confirms a candidate; with ``confirm="learned"`` sentence
        pairs this close are a match's evidence, which links paragraphs into
        groups. Default: 0.3 with ``confirm="learned"``, 0.6 with ``confirm="tfidf"``: under an article's own
        IDF two sentences sharing a name and a number reach 0.3-0.45 though they state different claims, and
        ``benchmarks/tfidf_thresholds.py`` chose 0.45 / 0.6 on the dev half of ``data/dev`` (no false report
        on its non-redundant articles or on random-word documents; docs/benchmarks.md).
    min_shared_words : int, default=5
        A verbatim run of this many content words confirms a candidate
        (0 turns the rule off).
    min_sentence_words : int, default=3
        Sentences with fewer tokens (after stop words) take no part in
        matching, so a one-word line cannot restate anything.
    background : mapping of str to int, optional
        Background document frequencies blended into the article's IDF (each in [0, ``background_docs``]).
    background_docs : int, default=0
        Number of documents behind ``background``: at least 1 when it is given.
    confirm : {"learned", "tfidf"}, default="learned"
        How candidates are confirmed. ``"learned"``: the shipped reranker
        (``dedup.confirm.reranker``) over explainable pair features decides, and a
        verbatim run of ``min_shared_words`` content words still confirms
        on its own. ``"tfidf"``: the TF-IDF cosine rules (``paragraph_cosine_threshold``,
        ``sentence_cosine_threshold``), about 4x faster (23 vs 85 ms on the bundled article); ``benchmarks/quality.py``
        compares the two.
    probability_threshold : float, optional
        Probability at which the reranker confirms a pair (formerly ``reranker_threshold``); by default the
        model's own detector threshold, chosen on its training data (the
        lowest with out-of-fold precision 0.9). Refused with ``confirm="tfidf"``, which has no reranker.
    reranker : Reranker, optional
        Another fitted model than the shipped one.
    agreement : AgreementModel or None, default="default"
        The model that decides pairs of paragraphs stating the same specific amount, rounded or spelled out in
        one (``confirm.agreement``; such pairs are candidates whatever their words): the shipped one of the
        confirm stage by default, None to turn the amount route off.
    max_candidates : int, default=5000
        At most this many candidate pairs are confirmed in one document, the
        most similar by MinHash estimate; the report counts the others as
        ``candidates_dropped``. An article has tens; a huge document's LSH
        candidates would grow with the square of its paragraphs, so each LSH
        level also generates at most ``generation_budget`` pairs (200 per
        candidate, at least a million), the rarest band keys' first, and
        counts the pairs it left out as dropped too (see ``capped_candidates``);
        a paragraph repeated more than 1,000 times is paired with its first
        copy only, the rest counted as dropped.

    The old names ``threshold``, ``sentence_threshold`` and ``reranker_threshold`` still work for one
    release, with a ``DeprecationWarning``.
    """

    @refuses_two_values(_RENAMED)
    def __init__(
        self,
        k: int = 1,
        stop_words: bool = True,
        stem: bool = True,
        num_perm: int = 128,
        seed: int = 1,
        lsh_threshold: float = 0.1,
        paragraph_cosine_threshold: float | None = None,
        sentence_cosine_threshold: float | None = None,
        min_shared_words: int = 5,
        min_sentence_words: int = 3,
        background: Mapping[str, int] | None = None,
        background_docs: int = 0,
        confirm: str = "learned",
        probability_threshold: float | None = None,
        reranker: Reranker | None = None,
        max_candidates: int = 5_000,
        agreement: AgreementModel | None | str = "default",
    ) -> None:
        check_int("min_sentence_words", min_sentence_words, 1)
        if confirm not in CONFIRM_MODES:
            raise ValueError(f"confirm must be one of {', '.join(CONFIRM_MODES)}, got {confirm!r}")
        defaults = _TFIDF_DEFAULTS if confirm == "tfidf" else _LEARNED_DEFAULTS
        paragraph_cosine_threshold = defaults[0] if paragraph_cosine_threshold is None else paragraph_cosine_threshold
        sentence_cosine_threshold = defaults[1] if sentence_cosine_threshold is None else sentence_cosine_threshold
        check_fraction("lsh_threshold", lsh_threshold)  # before LSHBanding, whose error would say "threshold"
        if probability_threshold is not None:
            check_fraction("probability_threshold", probability_threshold, open_high=True)
            if confirm == "tfidf":  # taken and never read: a user tuning it saw no change, and no word said why
                raise ValueError("probability_threshold is the learned reranker's (confirm='learned'); "
                                 "confirm='tfidf' decides by paragraph_cosine_threshold and sentence_cosine_threshold")
        # Checked before use, so a wrong value is named here, not as an AttributeError deep in ``detect``.
        if reranker is not None and not isinstance(reranker, Reranker):
            raise ValueError(f"reranker must be a fitted Reranker or None, got {type(reranker).__name__} "
                             f"{reranker!r:.60}")
        if not (agreement is None or isinstance(agreement, AgreementModel)
                or (isinstance(agreement, str) and agreement == "default")):
            raise ValueError(f'agreement must be an AgreementModel, None or "default", got {agreement!r:.60}')
        self.confirm_mode = confirm
        self.reranker = (reranker or default_reranker()) if confirm == "learned" else None
        self.probability_threshold = probability_threshold if probability_threshold is not None else (
            self.reranker.detector_probability_threshold if self.reranker else None)
        self.shingler = Shingler(k=k, stop_words=stop_words, stem=stem)
        # Every step tokenizes with the shingler's tokenizer; the memo does each text once per document.
        self._tokens = TokenMemo(self.shingler.tokenize)
        self.minhasher = MinHasher(num_perm=num_perm, seed=seed)
        self.lsh = LSHBanding(threshold=lsh_threshold, num_perm=num_perm)
        self.confirmer = TfidfConfirmer(
            tokenizer=self._tokens,
            paragraph_cosine_threshold=paragraph_cosine_threshold,
            sentence_cosine_threshold=sentence_cosine_threshold,
            background=background,
            background_docs=background_docs,
            min_shared_words=min_shared_words,
        )
        self.min_sentence_words = min_sentence_words
        self.agreement = default_agreement(confirm) if agreement == "default" else agreement
        if self.agreement is not None and self.agreement.mode != confirm:
            raise ValueError(f"agreement model is for confirm={self.agreement.mode!r}, not {confirm!r}")
        self.max_candidates = check_int("max_candidates", max_candidates, 1)
        # Pairs each LSH level may generate: cheap next to confirming (microseconds, not milliseconds, each),
        # so many per confirmed candidate, but bounded, so a huge document costs time linear in its size.
        self.generation_budget = max(GENERATED_PER_CANDIDATE * self.max_candidates, MIN_GENERATED)
        # One document at a time: the confirm stage fits its TF-IDF on each document and keeps it on the detector,
        # so threads sharing one (a CorpusScanner's, an Index's) got each other's state: wrong reports, IndexErrors.
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def params(self) -> dict:
        """The detector's parameters as a report's ``params.within`` holds them (their first names)."""
        return {
            **self.shingler.params(),
            **self.minhasher.params(),
            "lsh_threshold": self.lsh.threshold,
            "bands": self.lsh.bands,
            "rows": self.lsh.rows,
            # The report's keys keep their first names (the JSON is a stable contract): see docs/output.md.
            "threshold": self.confirmer.paragraph_cosine_threshold,
            "sentence_threshold": self.confirmer.sentence_cosine_threshold,
            "min_shared_words": self.confirmer.min_shared_words,
            "min_sentence_words": self.min_sentence_words,
            "max_candidates": self.max_candidates,
            "confirm": self.confirm_mode,
            "amounts": self.agreement is not None,
            **({"reranker_threshold": self.probability_threshold,
                "reranker_trained": self.reranker.metadata.get("trained")} if self.reranker else {}),
        }

    def detect(self, text: str, *old_doc_id: str, doc_id: str = "-") -> Report:
        """Run the whole pipeline on one article's text.

        Parameters
        ----------
        text : str
            The article, paragraphs separated by blank lines (or one per line).
        doc_id : str, default="-"
            The id the report carries (keyword-only: where an id is required, as in ``Index.check``, it
            comes first; ``detect(text, doc_id)`` still works for one release, with a warning).

        Returns
        -------
        Report
            Its paragraphs, the confirmed matches with their evidence, and the groups they form.
        """
        doc_id = check_str("doc_id", positional_doc_id("detect", old_doc_id, doc_id), blank=True)
        check_str("text", text, blank=True)
        with self._lock, self._tokens.document():  # each text tokenized once by every stage, let go with it
            article = self._sign(segment(text))
            candidates, dropped = self.capped_candidates(article)
            matches, scores = self.confirm(article, candidates)
            groups = group_matches(matches)  # inside: it reads the word spans the name rules found
        return Report(id=doc_id, paragraphs=article.paragraphs, groups=groups, matches=matches,
                      candidate_scores=scores, candidates_dropped=dropped)

    def _sign(self, paragraphs: list[Paragraph]) -> SignedArticle:
        sentences = [s.text for p in paragraphs for s in p.sentences]
        tokens = [self._tokens(s) for s in sentences]
        # A sentence of figures only (a subtitle cue's "00:01:01,500 --> 00:01:03,250") states no claim: two cues'
        # timing lines shared a "run" of digits, and unrelated cues were one group.
        tokens = [t if len(t) >= self.min_sentence_words and _LETTER.search(text) else []
                  for t, text in zip(tokens, sentences)]
        sentence_sets = self.shingler.shingle_tokens(tokens)
        counts = np.array([len(p.sentences) for p in paragraphs], dtype=np.int64)
        first = np.concatenate(([0], np.cumsum(counts)))[:-1].astype(np.int64)
        members = [list(range(f, f + c)) for f, c in zip(first, counts)]
        sentence_signatures = self.minhasher.sign(sentence_sets)
        return SignedArticle(
            paragraphs=paragraphs,
            sentence_owner=np.repeat(np.arange(len(paragraphs)), counts),
            sentence_first=first,
            sentence_sizes=sentence_sets.sizes(),
            paragraph_sizes=union(sentence_sets, members).sizes(),
            sentence_signatures=sentence_signatures,
            paragraph_signatures=merge(sentence_signatures, members),
            claims=[Claims.of(p.text) for p in paragraphs],
        )

    def confirm(self, article: SignedArticle, candidates: list[CandidatePair]) -> tuple[list[Match], list[float]]:
        """Score candidates (TF-IDF evidence; the reranker decides with confirm="learned").

        Returns
        -------
        matches : list of Match
            The confirmed candidates, with their evidence.
        scores : list of float
            Every candidate's score (the reranker's probability, or the TF-IDF score), in order.
        """
        if not candidates:
            return [], []
        paragraphs = article.paragraphs
        para_cos = Cosines(self.confirmer.fit_transform([p.text for p in paragraphs]))
        # Only the candidates' paragraphs are looked at one by one (a huge document's are a few of them).
        needed = sorted({p for pair in candidates for p in (pair.a, pair.b)})
        sent_cos = self._sentence_cosines(article, needed)
        usable = article.sentence_sizes > 0
        # Sentences of each paragraph that take part in matching (flat indices).
        kept = np.flatnonzero(usable)  # sorted by paragraph already: sentences are numbered in order
        rows = np.split(kept, np.searchsorted(article.sentence_owner[kept], np.arange(1, len(paragraphs))))
        counts: dict = {}  # word counts of long texts, for ``bounded``
        scored = []
        # Spans are read for the copied-run rule (``confirmer.copied``), and whole only by matches: a candidate
        # with no run long enough to be copied gets ``Unbuilt`` (empty) spans, built if it is confirmed.
        copied = self.confirmer.min_shared_words or float("inf")
        blocks = sent_cos.blocks([(rows[pair.a], rows[pair.b]) for pair in candidates])
        for pair, spans, block in zip(candidates, candidate_spans(paragraphs, candidates, counts, copied), blocks):
            scored.append((pair, spans, self.confirmer.decide(
                para_cos.value(pair.a, pair.b), block, shared_words=spans[0].content_words if spans else 0)))
        # Content words of every sentence, once per paragraph (the title rule looks at them pair by pair).
        sentence_words = {p: [frozenset(self._tokens(s.text)) for s in paragraphs[p].sentences] for p in needed}
        titles = [title_restated(sentence_words[pair.a], sentence_words[pair.b]) for pair, _, _ in scored]
        probabilities, deciding, lexical = self._learned_scores(article, rows, scored, needed, counts, titles) \
            if self.reranker else ([None] * len(scored), [None] * len(scored), {})
        agreed = confirmed_by_amounts(self.agreement, paragraphs, article.claims,
                                      [(pair, s.cosine) for pair, _, s in scored], lexical)
        matches, scores = [], []
        names: dict = {}  # each paragraph's words read as names, once (``claims.names_only``)
        for (pair, spans, pair_score), probability, decisive, title, amounts in zip(
                scored, probabilities, deciding, titles, agreed):
            if probability is not None:
                pair_score = self._learned(pair_score, probability, decisive, spans[0].content_words if spans else 0,
                                           title, amounts)
            else:  # the TF-IDF rules, then the title rule (one headline rule in both stages) and the amounts
                if title:
                    pair_score = replace(pair_score, confirmed=True, sentence_pairs=pair_score.sentence_pairs or (
                        (pair_score.best_pair,) if pair_score.best_pair else ()),
                        confirmed_by=(*pair_score.confirmed_by, "headline"))
                if amounts:  # alone, its evidence is the sentences stating the amounts (``_match``)
                    pair_score = replace(pair_score, confirmed=True, confirmed_by=(*pair_score.confirmed_by, AMOUNTS),
                                         sentence_pairs=pair_score.sentence_pairs if pair_score.confirmed else ())
            scores.append(round(float(pair_score.score), 4))
            if pair_score.confirmed and names_only(paragraphs[pair.a].text, paragraphs[pair.b].text, names):
                continue  # the same people, not the same claim (``claims.names_only``)
            if pair_score.confirmed and contradicts(article.claims[pair.a], article.claims[pair.b]):
                continue  # other amounts of the same kind, none the same: another fact (``agreement.contradicts``)
            if pair_score.confirmed and set(pair_score.confirmed_by) <= _SCORES_ONLY \
                    and title_like(paragraphs[pair.a]) and title_like(paragraphs[pair.b]):
                continue  # two headings: restated only by the title rule or a copied run (``claims.title_like``)
            if pair_score.confirmed_by == ("shared_run",) and not any(
                    self.confirmer.copied(s.content_words) and not name_run(
                        paragraphs[pair.a].text[s.a_start:s.a_end], paragraphs[pair.a].text, paragraphs[pair.b].text)
                    for s in spans):
                continue  # the runs they share are names, not a claim copied (``claims.name_run``)
            if pair_score.confirmed:
                spans = spans.build() if isinstance(spans, Unbuilt) else spans
                # The reranker's probability that decided (``_learned``'s score), not the whole paragraphs' row
                # when that row may not decide: a match showed 0.97 and was confirmed by its amounts alone.
                decided = None if probability is None else pair_score.score
                matches.append(self._match(article, pair, pair_score, rows[pair.a], rows[pair.b], spans, decided))
        return matches, scores

    def _sentence_cosines(self, article: SignedArticle, needed: list[int]) -> Cosines:
        """Cosines between sentences (numbered flat), of every sentence for an article; of the ``needed``
        paragraphs' sentences only past ``FIT_LIMIT`` paragraphs, whose 200,000 sentences' rows took
        hundreds of MB (a row depends on its sentence and the fitted IDF only: the cosines are the same)."""
        paragraphs = article.paragraphs
        if len(paragraphs) <= FIT_LIMIT:
            return Cosines(self.confirmer.transform([s.text for p in paragraphs for s in p.sentences]))
        flat = np.concatenate([article.sentence_first[p] + np.arange(len(paragraphs[p].sentences))
                               for p in needed]).astype(np.int64)
        index = np.full(len(article.sentence_owner), -1, dtype=np.int64)
        index[flat] = np.arange(len(flat))
        texts = [paragraphs[p].sentences[i].text for p in needed for i in range(len(paragraphs[p].sentences))]
        return Cosines(self.confirmer.transform(texts), index)

    def _match(self, article: SignedArticle, pair: CandidatePair, scored, rows_a: np.ndarray, rows_b: np.ndarray,
               spans: list[SharedSpan], probability: float | None = None) -> Match:
        jaccard = estimate_jaccard(article.paragraph_signatures[pair.a], article.paragraph_signatures[pair.b])
        containment = estimate_containment(
            jaccard, int(article.paragraph_sizes[pair.a]), int(article.paragraph_sizes[pair.b])
        )
        evidence = []
        for i, j, cosine in scored.sentence_pairs:
            si, sj = int(rows_a[i]), int(rows_b[j])
            local_i = si - int(article.sentence_first[pair.a])
            local_j = sj - int(article.sentence_first[pair.b])
            evidence.append(SentencePair(
                a=article.paragraphs[pair.a].sentences[local_i].text,
                b=article.paragraphs[pair.b].sentences[local_j].text,
                cosine=round(cosine, 4), a_index=local_i, b_index=local_j,
            ))
        para_a, para_b = article.paragraphs[pair.a], article.paragraphs[pair.b]
        copied = [s for s in spans if s.content_words >= max(self.confirmer.min_shared_words, 1)]
        known = {(e.a_index, e.b_index) for e in evidence}
        amounts = ()
        if AMOUNTS in scored.confirmed_by:  # the amounts both state, and their sentences linked for grouping
            amounts, holding = agreed_amounts(para_a, para_b, article.claims[pair.a], article.claims[pair.b])
            evidence += sentence_pairs(para_a, para_b, holding, known)
        for span in copied:
            # A copied run links the sentences it starts in, so grouping sees it.
            i, j = sentence_at(para_a, span.a_start), sentence_at(para_b, span.b_start)
            if (i, j) not in known:
                known.add((i, j))
                evidence.append(SentencePair(a=para_a.sentences[i].text, b=para_b.sentences[j].text,
                                             cosine=0.0, a_index=i, b_index=j))
        return Match(
            a=pair.a, b=pair.b, jaccard=round(jaccard, 4), containment=round(containment, 4),
            cosine=round(scored.cosine, 4), score=round(scored.score, 4), sentences=tuple(evidence),
            spans=tuple(
                Span(text=para_a.text[s.a_start:s.a_end], a=(s.a_start, s.a_end), b=(s.b_start, s.b_end),
                     content_words=s.content_words)
                for s in spans
            ),
            reranker=None if probability is None else round(probability, 4),
            kind=match_kind(para_a, para_b), confirmed_by=scored.confirmed_by, amounts=amounts,
        )


# The TF-IDF thresholds (paragraph, sentence) each confirm stage uses unless given: with the reranker they only
# choose a match's evidence; as the confirm stage itself, the stricter pair that benchmarks/tfidf_thresholds.py
# chose on the dev half of data/dev.
_LEARNED_DEFAULTS = (0.45, 0.3)
_TFIDF_DEFAULTS = (0.45, 0.6)
def find_redundancy(text: str, *old: str, doc_id: str = "-", fmt: str = "auto", **params) -> Report:
    """Find restated paragraphs in ``text`` with a ``Detector(**params)``.

    Parameters
    ----------
    text : str
        Plain text or HTML: ``fmt="html"``, or ``"auto"`` when it starts like HTML, reads the page's main
        text (one paragraph per block; needs the html extra); ``fmt="text"`` never converts.
    doc_id : str, default="-"
        The id the report carries (keyword-only, as ``fmt``).
    fmt : {"auto", "text", "html"}, default="auto"
    **params
        ``Detector``'s parameters.

    Returns
    -------
    Report
        The article's paragraphs, confirmed matches with their evidence, and groups.
    """
    from dedup.io.html_input import as_text

    if len(old) > 2:
        raise TypeError(f"find_redundancy() takes 1 positional argument but {1 + len(old)} were given")
    doc_id = positional_doc_id("find_redundancy", old[:1], doc_id)
    if len(old) == 2:
        fmt = old[1]
    check_str("text", text, blank=True)
    with warnings.catch_warnings(record=True) as said:  # an old parameter name's warning, said of the caller's line
        warnings.simplefilter("always")
        detector = Detector(**params)
    for warning in said:
        warnings.warn(warning.message, warning.category, stacklevel=2)
    return detector.detect(as_text(text, fmt), doc_id=doc_id)

