"""Plain records that flow between the pipeline steps.

Each step takes and returns these dataclasses, so a step can be tested or
replaced on its own and the CLI and library share one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph, with its character span in the paragraph."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A block of text; ``index`` counts from 0 (the title line is paragraph 0)."""

    index: int
    text: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class CandidatePair:
    """Two paragraphs that LSH put in a common bucket, with the level that found them.

    ``a < b`` always; ``via`` is ``"paragraph"``, ``"sentence"`` or both.
    """

    a: int
    b: int
    via: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SentencePair:
    """Evidence: a sentence of paragraph ``a`` and the sentence of ``b`` it restates."""

    a: str
    b: str
    cosine: float
    a_index: int = 0
    b_index: int = 0


@dataclass(frozen=True)
class Span:
    """Evidence: a run of words both paragraphs contain, as ``[start, end)`` into each."""

    text: str
    a: tuple[int, int]
    b: tuple[int, int]
    content_words: int


@dataclass(frozen=True)
class AgreedAmount:
    """Evidence: an amount both paragraphs state, as each writes it ("$298 million", "roughly $300 million")."""

    a: str
    b: str


@dataclass(frozen=True)
class Match:
    """A confirmed restatement between paragraphs ``a`` and ``b`` (``a < b``).

    Attributes
    ----------
    jaccard : float
        MinHash estimate of the Jaccard similarity of the two shingle sets.
    containment : float
        Estimated share of the smaller paragraph's shingles found in the larger.
    cosine : float
        TF-IDF cosine of the two paragraphs.
    score : float
        The confirm stage's score, compared against its threshold: the
        reranker's probability with the learned confirm stage, the best
        TF-IDF cosine with ``confirm="tfidf"``.
    sentences : tuple of SentencePair
        Aligned sentence pairs that carry the restatement.
    spans : tuple of Span
        Word runs the two paragraphs share, matched on light stems after case folding ("suggests military
        action" in ``a`` may be "suggesting military action" at ``b``'s offsets); ``text`` is ``a``'s.
    reranker : float or None
        The learned reranker's probability that the pair is a restatement
        (None with ``confirm="tfidf"``).
    kind : {"restatement", "headline"}
        ``"headline"`` when one side is the article's headline and the other a paragraph of its body (the
        normal shape of news: ``dedup clean`` never removes a paragraph for it alone).
    confirmed_by : tuple of str
        Why the confirm stage accepted the pair: ``"reranker"`` (its probability reached the threshold),
        ``"shared_run"`` (a verbatim run of ``min_shared_words`` content words), ``"headline"`` (a headline
        whose every content word one sentence of the other holds), ``"paragraph_cosine"`` or
        ``"sentence_cosine"`` (with ``confirm="tfidf"``), ``"amounts"`` (the two agree on a specific amount,
        and the agreement model, ``confirm.agreement``, accepts the pair). A match with a low score names what
        confirmed it.
    amounts : tuple of AgreedAmount
        Specific amounts both paragraphs state, rounded or spelled out in one of them (evidence of a
        ``"amounts"`` match; empty for the others).
    """

    a: int
    b: int
    jaccard: float
    containment: float
    cosine: float
    score: float
    sentences: tuple[SentencePair, ...] = ()
    spans: tuple[Span, ...] = ()
    reranker: float | None = None
    kind: str = "restatement"
    confirmed_by: tuple[str, ...] = ()
    amounts: tuple[AgreedAmount, ...] = ()


@dataclass(frozen=True)
class Group:
    """Paragraphs joined by confirmed matches; the representative is the first."""

    paragraphs: tuple[int, ...]

    @property
    def representative(self) -> int:
        return self.paragraphs[0]


@dataclass
class Report:
    """What the detector found in one document."""

    id: str
    paragraphs: list[Paragraph]
    groups: list[Group] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    # The confirm stage's score of every candidate pair, confirmed or not (where the threshold cuts).
    candidate_scores: list[float] = field(default_factory=list)
    # Candidates left unconfirmed by the detector's max_candidates cap (a huge document), said in the output.
    candidates_dropped: int = 0

    def __repr__(self) -> str:
        # A summary, not every paragraph's text (the generated repr printed the whole document).
        groups = ", ".join(str(list(g.paragraphs)) for g in self.groups[:5]) + (", ..." if len(self.groups) > 5 else "")
        return (f"Report(id={self.id!r}, paragraphs={len(self.paragraphs)}, groups=[{groups}], "
                f"matches={len(self.matches)})")



@dataclass(frozen=True)
class DocumentMatch:
    """Scores of document ``b`` against document ``a`` (ids), from their exact shingle sets.

    ``containment`` is the share of the smaller document's shingles found in
    the larger: 1.0 for a copy cut short.
    """

    a: str
    b: str
    jaccard: float
    containment: float
    cosine: float

    @property
    def doc(self) -> str:
        """``b``: the other document (in an index ``Verdict``, the indexed one), as JSON output names it."""
        return self.b


@dataclass(frozen=True)
class Cluster:
    """Near-duplicate documents; the representative is the copy the ``kept_by`` rule chose (``dedup.cluster.keep``)."""

    representative: str
    members: tuple[str, ...]
    matches: tuple[DocumentMatch, ...]  # the representative against every other member
    kept_by: str = "longest"  # "longest" | "first" | "earliest"


@dataclass(frozen=True)
class Occurrence:
    doc: str
    paragraph: int


@dataclass(frozen=True)
class Passage:
    """A paragraph found, verbatim or lightly reworded, in several documents."""

    text: str  # first 200 characters of one occurrence
    documents: int
    occurrences: tuple[Occurrence, ...]
    boilerplate: bool = False  # recurs in so many documents that it is page furniture


@dataclass(frozen=True)
class ReusedSentence:
    """Evidence: a sentence of the passage in ``a`` and the sentence of ``b`` aligned with it."""

    a: str
    b: str
    cosine: float


@dataclass(frozen=True)
class Reuse:
    """A passage of document ``a`` that reuses (copies, edits or restates) a passage of document ``b``.

    Attributes
    ----------
    a_span, b_span : tuple of int
        ``[start, end)`` character offsets into each document's text as read, so
        ``text[start:end]`` is the passage: the string given (``find_reuse``, ``Index.check``), or a
        file's text as the readers decoded it, with a leading byte order mark dropped.
    score : float
        The confirm stage's score: the TF-ISF cosine of the two passages as wholes.
    jaccard : float
        Jaccard similarity of the two passages' content-word sets.
    cosine : float
        TF-ISF cosine of the two passages.
    kind : str
        ``"verbatim"`` (the same text up to case and spacing), ``"edited"`` (at least half the
        content words shared) or ``"restated"`` (reworded).
    sentences : tuple of ReusedSentence
        The aligned sentence pairs the passage was built from.
    """

    a: str
    b: str
    a_span: tuple[int, int]
    b_span: tuple[int, int]
    score: float
    jaccard: float
    cosine: float
    kind: str
    sentences: tuple[ReusedSentence, ...] = ()


@dataclass(frozen=True)
class DocumentResult:
    """One scanned document: its id, paragraph count and restatements (None: none found)."""

    id: str
    paragraphs: int
    report: Report | None = None


@dataclass
class CorpusReport:
    """What a corpus scan found; ``documents`` is a sequence in input order (see ``spool.DocumentList``)."""

    documents: Sequence[DocumentResult]
    clusters: list[Cluster]
    passages: list[Passage]
    stats: dict = field(default_factory=dict)
    reuse: list[Reuse] = field(default_factory=list)  # passages reused between documents not in one cluster
