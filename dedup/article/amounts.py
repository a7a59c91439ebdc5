"""The detector's amount step: pairs of paragraphs that agree on a specific amount, decided by the agreement
model (``confirm.agreement``), with the amounts and their sentences as the match's evidence.

Candidates come from ``candidates.amount_pairs``; this module scores them once the reranker (or the TF-IDF
rules) has scored every candidate, so the agreement model reads the same lexical evidence as the rest.
"""

from __future__ import annotations

from typing import Sequence

from dedup.article.claims import is_headline
from dedup.article.evidence import sentence_at
from dedup.confirm.agreement import AgreementModel, Claims, agreeing_pairs, agreement, feature_row
from dedup.records import AgreedAmount, CandidatePair, Paragraph, SentencePair
from dedup.text.words import words

REASON = "amounts"
# Words past which a paragraph is not put to the agreement model: it was fitted on news paragraphs of at most 53
# words (``data/dev``'s dev half), and a long paragraph of a web page states many amounts and names, one of
# which another shares by chance (PAN 2013 pages, docs/benchmarks.md). Fixed as that largest paragraph, rounded
# up, before the web pages were scored.
MAX_CLAIM_WORDS = 60


def agreement_probabilities(model: AgreementModel, claims: Sequence[Claims], pairs: Sequence[tuple[int, int]],
                            headlines: Sequence[bool], probability: Sequence[float] | None = None,
                            char_cosine: Sequence[float] | None = None,
                            paragraph_cosine: Sequence[float] | None = None) -> list[float | None]:
    """The agreement model's probability for each pair of paragraphs that agree on a specific amount; None
    for the others (the model decides only those). ``probability`` and ``char_cosine`` (the reranker's
    whole-pair probability and character cosine) serve a ``"learned"`` model, ``paragraph_cosine`` a
    ``"tfidf"`` one; ``headlines`` says whether each pair has the article's headline."""
    rows, at = [], []
    for k, (a, b) in enumerate(pairs):
        found = agreement(claims[a], claims[b])
        if found.amounts_agreeing:
            rows.append(feature_row(model.mode, found, headlines[k],
                                    probability=probability[k] if probability is not None else 0.5,
                                    char_cosine=char_cosine[k] if char_cosine is not None else 0.0,
                                    paragraph_cosine=paragraph_cosine[k] if paragraph_cosine is not None else 0.0))
            at.append(k)
    found: list[float | None] = [None] * len(pairs)
    if rows:
        for k, p in zip(at, model.predict_pairs([pairs[k] for k in at], rows).tolist()):
            found[k] = p
    return found


def agreed_amounts(a: Paragraph, b: Paragraph, claims_a: Claims,
                   claims_b: Claims) -> tuple[tuple[AgreedAmount, ...], tuple[tuple[int, int], ...]]:
    """The amounts two paragraphs agree on, as written in each, and the sentence pairs that hold them
    (sentence numbers in each paragraph), first agreement first."""
    first = {}  # each amount of ``a`` with the first of ``b`` it agrees with
    for q, r in agreeing_pairs(claims_a, claims_b):
        first.setdefault(id(q), (q, r))
    amounts, sentences = [], []
    for q, r in first.values():
        agreed = AgreedAmount(a.text[q.start:q.end], b.text[r.start:r.end])
        if agreed not in amounts:  # an amount stated twice in one paragraph is one piece of evidence
            amounts.append(agreed)
        pair = (sentence_at(a, q.start), sentence_at(b, r.start))
        if pair not in sentences:
            sentences.append(pair)
    return tuple(amounts), tuple(sentences)


def confirmed_by_amounts(model: AgreementModel | None, paragraphs: Sequence[Paragraph], claims: Sequence[Claims],
                         scored: Sequence[tuple[CandidatePair, float]], lexical: dict) -> list[bool]:
    """Whether the agreement model confirms each candidate (``scored``: the pair and its paragraph cosine).
    Only candidates found agreeing on an amount (``via`` holds ``"amounts"``) are asked; a ``"learned"``
    model reads the reranker's whole-pair probability and character cosine (``lexical``: candidate number
    -> both), so it asks only the candidates the reranker scored."""
    if model is None:
        return [False] * len(scored)
    asked = [k for k, (pair, _) in enumerate(scored) if REASON in pair.via and (model.mode == "tfidf" or k in lexical)
             and claim_sized(paragraphs[pair.a]) and claim_sized(paragraphs[pair.b])]
    learned = model.mode == "learned"
    found = agreement_probabilities(
        model, claims, [(scored[k][0].a, scored[k][0].b) for k in asked],
        [is_headline(paragraphs[scored[k][0].a]) for k in asked],
        probability=[lexical[k][0] for k in asked] if learned else None,
        char_cosine=[lexical[k][1] for k in asked] if learned else None,
        paragraph_cosine=[scored[k][1] for k in asked])
    agreed = [False] * len(scored)
    for k, p in zip(asked, found):
        agreed[k] = p is not None and p >= model.threshold
    return agreed


def claim_sized(paragraph: Paragraph) -> bool:
    """Whether a paragraph is short enough that an amount it shares with another says they state one claim
    (``MAX_CLAIM_WORDS``)."""
    return len(words(paragraph.text)) <= MAX_CLAIM_WORDS


def sentence_pairs(a: Paragraph, b: Paragraph, holding: Sequence[tuple[int, int]],
                   known: set[tuple[int, int]]) -> list[SentencePair]:
    """The sentence pairs ``holding`` (numbers in ``a`` and ``b``) not ``known`` yet, as evidence (``known``
    is updated): they link the sentences that state the amounts, so grouping sees the claim."""
    found = []
    for i, j in holding:
        if (i, j) not in known:
            known.add((i, j))
            found.append(SentencePair(a=a.sentences[i].text, b=b.sentences[j].text, cosine=0.0, a_index=i, b_index=j))
    return found
