"""The reranking step of the article detector: the learned confirm stage's probability for each candidate.

A mixin of ``Detector`` (its ``reranker``, ``confirmer``, ``probability_threshold`` and token memo), in a module
of its own so that each step of the article pipeline can be read on its own: candidates (``candidates``),
reranking (here), amounts (``amounts``), evidence and grouping (``detector``).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from dedup.article.amounts import REASON as AMOUNTS
from dedup.article.candidates import SignedArticle
from dedup.article.evidence import bounded, spread
from dedup.article.evidence import held_in_a_sentence as _held
from dedup.confirm.features import FEATURES, PairFeaturizer
from dedup.confirm.rules import PairScore
from dedup.records import Paragraph
from dedup.text.segment import normalize
from dedup.util.arrays import numbered


class RerankStep:
    """``_learned_scores``, ``_rerank`` and ``_learned`` of ``Detector``."""

    def _learned_scores(self, article: SignedArticle, rows: list[np.ndarray], scored: list, needed: list[int],
                        counts: dict, titles: list[bool]) -> tuple[list[float], list[float]]:
        """Each candidate's probability and the probability that decides it (``titles``: whether the title rule
        holds for each).

        A cascade: the reranker scores only the candidates whose TF-IDF score (paragraph or best sentence
        cosine) reaches ``_RERANK_FLOOR``, or that a shared run or the title rule confirms anyway; the rest
        keep their TF-IDF score and are not confirmed. ``benchmarks/rerank_floor.py`` chose the floor: on
        its sets no pair the reranker confirms scores under it, and it spares the reranker about half an
        article's candidates (most of a document's that restates nothing).
        """
        chosen = [k for k, ((pair, spans, pair_score), title) in enumerate(zip(scored, titles))
                  if pair_score.score >= _RERANK_FLOOR or title or AMOUNTS in pair.via
                  or self.confirmer.copied(spans[0].content_words if spans else 0)]
        probabilities = [pair_score.score for _, _, pair_score in scored]
        deciding = [0.0] * len(scored)
        lexical = {}  # candidate -> (whole-pair probability, character cosine), for the agreement model
        if chosen:
            found, decisive, rows_found = self._rerank(article, rows, [scored[k] for k in chosen], needed, counts)
            for k, p, d, row in zip(chosen, found, decisive, rows_found):
                probabilities[k], deciding[k], lexical[k] = p, d, row
        return probabilities, deciding, lexical

    def _rerank(self, article: SignedArticle, rows: list[np.ndarray], scored: list, needed: list[int],
                counts: dict | None = None) -> tuple[list[float], list[float], list[tuple[float, float]]]:
        """The reranker's probability for each candidate, with the article's own IDF, the probability
        that decides it, and its whole-pair probability and character cosine (for the agreement model).

        A pair is scored as whole paragraphs and as its best-aligned sentence pair, and keeps the higher: a
        title restated by one sentence of a long paragraph is a restatement, though the paragraphs differ.
        The whole-paragraph row does not decide a pair whose shorter paragraph has under ``_WHOLE_RATIO`` of
        the longer's words, unless the longer holds ``_HEADLINE`` of its content words, ``_TOGETHER`` of them
        in one sentence (``evidence.held_in_a_sentence``): the model's short-vs-long training pairs are a
        headline against its sentence (one random sentence against ten, two of its words found, scored 0.97;
        three random words all in a long paragraph, each in another sentence, 1.0); such a pair is decided by
        its best sentence pair and the title rule. The IDF is the article's; past ``FIT_LIMIT`` paragraphs
        (a huge document) fitted on ``_FIT_SAMPLE`` of them, evenly spaced: up to half of the candidates'
        ``needed`` paragraphs, so their words weigh, and the rest of the document, so the weights are its own
        (the cost bounded, not the document's size; words the sample lacks count for nothing).
        """
        paragraphs = article.paragraphs
        sentences = [s.text for p in paragraphs for s in p.sentences]
        fitted = range(len(paragraphs))
        if len(paragraphs) > FIT_LIMIT:
            pairs = spread(np.asarray(needed), _FIT_SAMPLE // 2)
            fitted = np.union1d(pairs, spread(np.arange(len(paragraphs)), _FIT_SAMPLE - len(pairs))).tolist()
        featurizer = PairFeaturizer(tokenizer=self._tokens, sentences=_segmented(paragraphs[p] for p in fitted)) \
            .fit([paragraphs[p].text for p in fitted])
        a = [paragraphs[pair.a].text for pair, _, _ in scored]
        b = [paragraphs[pair.b].text for pair, _, _ in scored]
        best = [(k, s.best_pair) for k, (_, _, s) in enumerate(scored) if s.best_pair]
        a += [sentences[rows[scored[k][0].a][i]] for k, (i, _, _) in best]
        b += [sentences[rows[scored[k][0].b][j]] for k, (_, j, _) in best]
        a, b = map(list, zip(*(bounded(x, y, counts) for x, y in zip(a, b)))) if a else (a, b)
        # A one-sentence paragraph's two rows are one pair: each distinct pair is scored once.
        row = numbered(zip(a, b))
        at = np.array([row[pair] for pair in zip(a, b)], dtype=np.int64)
        a, b = [pair[0] for pair in row], [pair[1] for pair in row]
        dense = featurizer.transform(a, b)
        probability, dense = self.reranker.predict_proba(dense, a, b)[at], dense[at]
        n = len(scored)
        whole, by_sentence = probability[:n], probability[n:]
        in_range = dense[:n, _LENGTH_RATIO] >= _WHOLE_RATIO
        for k in np.flatnonzero(~in_range & (dense[:n, _CONTAINMENT] >= _HEADLINE)).tolist():
            in_range[k] = _held(*([frozenset(self._tokens(s.text)) for s in paragraphs[p].sentences]
                                  for p in (scored[k][0].a, scored[k][0].b))) >= _TOGETHER
        deciding = np.where(in_range, whole, 0.0)
        lexical = list(zip(whole.tolist(), dense[:n, _CHAR_COSINE].tolist()))
        for (k, _), p in zip(best, by_sentence):
            whole[k] = max(whole[k], p)
            deciding[k] = max(deciding[k], p)
        return whole.tolist(), deciding.tolist(), lexical

    def _learned(self, scored: PairScore, probability: float, deciding: float, shared_words: int,
                 title: bool, amounts: bool = False) -> PairScore:
        """Re-decide a TF-IDF-scored pair by the reranker (``deciding``: the probability of the rows that may
        decide it, see ``_rerank``) and the agreement model (``amounts``); its sentence evidence is kept,
        except for a pair only the amounts confirm, whose evidence is the sentences that state them."""
        reasons = tuple(name for name, passed in (
            ("reranker", deciding >= self.probability_threshold), ("shared_run", self.confirmer.copied(shared_words)),
            ("headline", title), (AMOUNTS, amounts)) if passed)
        evidence = scored.sentence_pairs or ((scored.best_pair,) if scored.best_pair else ())
        if reasons == (AMOUNTS,):
            evidence = ()
        # Built, not ``dataclasses.replace``d: replace costs several microseconds a candidate, in Python.
        return PairScore(cosine=scored.cosine, sentence_pairs=evidence, score=deciding, confirmed=bool(reasons),
                         best_pair=scored.best_pair, confirmed_by=reasons)


def _segmented(paragraphs: Iterable[Paragraph]) -> dict[str, list[str]]:
    """``features.sentences_of`` of the paragraphs it is sure to equal ``segment``'s sentences of (not split
    again): a one-line paragraph that ``normalize`` leaves as it is is split into lines and sentences by it
    just as ``segment`` split it."""
    return {p.text: [s.text for s in p.sentences] for p in paragraphs
            if p.sentences and "\n" not in p.text and normalize(p.text) == p.text}


# Paragraphs past which the reranker's IDF is fitted on a sample of ``_FIT_SAMPLE`` (``_rerank``): fitting
# character n-grams of every paragraph and sentence of a 20 MB document took 8 GB and minutes, of its 7,000
# candidate paragraphs still 1.4 GB (about 200 bytes a character).
FIT_LIMIT = 4000
_FIT_SAMPLE = 2000
# Shorter over longer paragraph, in words, under which the whole-paragraph row does not decide (``_rerank``).
_WHOLE_RATIO = 0.2
_HEADLINE = 0.65  # ... unless the longer holds this share of the shorter's content words (a headline) ...
_TOGETHER = 3  # ... and one of its sentences this many of them (two words in a sentence are chance anywhere)
_LENGTH_RATIO, _CONTAINMENT = FEATURES.index("length_ratio"), FEATURES.index("containment")
_CHAR_COSINE = FEATURES.index("char_cosine")
# TF-IDF score (the higher of the paragraph and best sentence cosines) under which the reranker is not asked
# (``_learned_scores``); chosen by ``benchmarks/rerank_floor.py`` (docs/benchmarks.md).
_RERANK_FLOOR = 0.125
