"""Pass two of a corpus scan: candidates from LSH, re-read only the documents
they involve, confirm each pair, and assemble clusters and passages.

A document pair is confirmed on its exact shingle sets (Jaccard, containment)
and its TF-IDF cosine under the corpus IDF; a paragraph pair on its TF-IDF
cosine. Verbatim copies of a paragraph share one fingerprint, so boilerplate
found in thousands of documents is one passage, never thousands of pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Iterator

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.cluster.groups import UnionFind
from dedup.cluster.keep import representative
from dedup.cluster.staged import confirmed_in_stages
from dedup.confirm.idf import HashedIdf
from dedup.confirm.pair_scores import is_duplicate, row_dots
from dedup.corpus.candidates import across_documents, document_candidates, paragraph_candidates, worth
from dedup.corpus.content import (
    DocumentRows,
    alike_beside_furniture,
    content_rows,
    frequent_nodes,
    furniture_of,
    one_story_pairs,
)
from dedup.corpus.pass_one import Tokenized, paragraphs_of
from dedup.corpus.polarity import opposite, polarity
from dedup.corpus.report_spool import DocumentList
from dedup.corpus.restate_pass import restating_documents, search_restatements
from dedup.corpus.reuse_pass import find_reuse, reuse_candidates
from dedup.corpus.state import CorpusState
from dedup.records import Cluster, CorpusReport, DocumentMatch, Occurrence, Passage
from dedup.reuse.search import ReuseSearch
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.shingle import ShingleSets
from dedup.util.allocator import release_freed
from dedup.util.arrays import distinct, distinct_pairs
from dedup.util.workers import Workers

if TYPE_CHECKING:
    from dedup.corpus.pass_one import BatchSigner
    from dedup.util.progress import Progress

SNIPPET = 200


@dataclass(frozen=True)
class PassTwoSettings:
    """What pass two needs of a scan's settings (``CorpusScanner.pass_two_settings``), not the scanner itself.

    ``jaccard_threshold``/``cosine_threshold`` make a near-duplicate (``pair_scores.is_duplicate``),
    ``passage_cosine_threshold`` a reused paragraph; ``lsh``/``paragraph_lsh`` propose the candidates and
    ``signer`` measures re-read texts, ``batch_size``/``batch_chars`` at a time.
    """

    jaccard_threshold: float
    cosine_threshold: float
    passage_cosine_threshold: float
    min_passage_words: int
    boilerplate_docs: int
    keep: str
    lsh: LSHBanding
    paragraph_lsh: LSHBanding
    signer: "BatchSigner"
    batch_size: int
    batch_chars: int
# Tokens under which a paragraph found in two documents is reported only as boilerplate (in ``boilerplate_docs``
# documents or more): a one- or two-word line ("Contents", "Figure A", "2008") that two pages share is no
# reused passage; 1,115 of the 2,856 passages of PAN 2013's 4,043 documents were such lines (docs/benchmarks.md).
MIN_PASSAGE_TOKENS = 3


@dataclass
class Measured:
    """What pass two needs of a batch of re-read texts; computed where the texts are (maybe a worker)."""

    documents: list[int]  # the texts (numbers in the batch) measured whole, in the order of ``sets`` and ``counts``
    sets: ShingleSets  # their document shingle sets
    counts: sparse.csr_matrix  # their token bucket counts
    paragraphs: list[tuple[int, int]]  # (text in batch, paragraph number) of each row of ``paragraph_counts``
    paragraph_counts: sparse.csr_matrix
    snippets: list[str]  # the start of each of those paragraphs
    figures: list[str]  # the numbers each of those paragraphs states, sorted (``_figures``)
    content_documents: list[int]  # the whole texts measured again without their furniture (``corpus.content``)
    content_sets: ShingleSets
    content_counts: sparse.csr_matrix
    polarities: list[str]  # each whole text's negations and symbols (``corpus.polarity``), in ``documents``' order


def measure(signer: "BatchSigner", texts: list[str], wanted: list[list[int]], whole: list[int],
            furniture: list[list[int]] | None = None) -> Measured:
    """Shingle sets and bucket counts of the texts numbered ``whole``, and bucket counts of the paragraphs
    ``wanted[i]`` (sorted) of each text ``i``.

    A text not in ``whole`` has only its wanted paragraphs tokenized: about a quarter of the re-read texts are
    wanted for a passage or two, not for a document pair.
    """
    split = [paragraphs_of(t) for t in texts]
    measured_whole = set(whole)
    numbers = [range(len(ps)) if i in measured_whole else [p for p in want if p < len(ps)]
               for i, (ps, want) in enumerate(zip(split, wanted))]
    tokenized = signer.tokenize_paragraphs([[ps[p] for p in ns] for ps, ns in zip(split, numbers)])
    starts = np.concatenate(([0], np.cumsum(tokenized.counts))).tolist()
    paragraphs, rows = [], []
    for i, want in enumerate(wanted):
        for k, p in enumerate(p for p in want if p < len(split[i])):
            paragraphs.append((i, p))
            rows.append(starts[i] + (p if i in measured_whole else k))
    documents = tokenized.select_documents(whole)
    furniture = furniture or [[] for _ in texts]
    content = [i for i in whole if furniture[i]]  # and without the paragraphs many documents hold word for word
    own_rows, kept = content_rows(tokenized.counts, content, [furniture[i] for i in content])
    own = Tokenized([[]] * len(content), kept, tokenized.tokens.select(own_rows),
                    np.repeat(np.arange(len(content), dtype=np.int64), kept))
    return Measured(
        documents=list(whole),
        sets=signer.document_sets(documents),
        counts=signer.bucketer.term_counts(documents.by_document()),
        paragraphs=paragraphs,
        paragraph_counts=signer.bucketer.term_counts(tokenized.tokens.select(rows)),
        snippets=[split[i][p][:SNIPPET] for i, p in paragraphs],
        figures=[_figures(split[i][p]) for i, p in paragraphs],
        content_documents=content,
        content_sets=signer.document_sets(own),
        content_counts=signer.bucketer.term_counts(own.by_document()),
        polarities=[polarity(texts[i]) for i in whole],
    )


_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _figures(paragraph: str) -> str:
    """The numbers a paragraph states, sorted, but for years: a site's template paragraph filled with each page's
    figures ("Sunrise is at 6:14 a.m. ... UV index 2") is no page furniture, and ``clean --boilerplate`` removed
    them all; a footer's "© 2023" on some pages and "© 2024" on others is."""
    return " ".join(sorted(n for n in _NUMBER.findall(paragraph) if not _YEAR.fullmatch(n)))


class Evidence:
    """Exact shingle sets and TF-IDF rows of the re-read documents (whole, and without their furniture:
    ``content``) and paragraphs."""

    def __init__(self) -> None:
        self.documents, self.content = DocumentRows(), DocumentRows()
        self.snippets: dict[tuple[int, int], str] = {}
        self.figures: dict[tuple[int, int], str] = {}
        self._paragraph_rows: dict[tuple[int, int], int] = {}
        self._paragraph_chunks: list[sparse.csr_matrix] = []
        self._n_paragraph_rows = 0
        self.reread: set[int] = set()
        self.failed: set[int] = set()
        self.polarities: dict[int, str] = {}  # of the documents measured whole (``corpus.polarity``)

    def add(self, docs: list[int], measured: Measured, idf: HashedIdf) -> None:
        """Keep what was measured of the texts of ``docs`` (in order), weighed by the corpus ``idf``."""
        self.reread.update(docs)
        self.polarities.update((docs[i], marks) for i, marks in zip(measured.documents, measured.polarities))
        self.documents.add([docs[i] for i in measured.documents], measured.sets, idf.weigh(measured.counts))
        self.content.add([docs[i] for i in measured.content_documents], measured.content_sets,
                         idf.weigh(measured.content_counts))
        for row, ((i, p), snippet, figures) in enumerate(zip(measured.paragraphs, measured.snippets,
                                                               measured.figures)):
            self._paragraph_rows[(docs[i], p)] = self._n_paragraph_rows + row
            self.snippets[(docs[i], p)] = snippet
            self.figures[(docs[i], p)] = figures
        self._n_paragraph_rows += len(measured.paragraphs)
        self._paragraph_chunks.append(idf.weigh(measured.paragraph_counts))

    def finish(self) -> None:
        self.documents.finish()
        self.content.finish()
        chunks = self._paragraph_chunks
        self.paragraph_vectors = sparse.vstack(chunks).tocsr() if chunks else sparse.csr_matrix((0, 1))

    def has(self, doc: int) -> bool:
        """Whether ``doc`` was measured whole (as a member of a document pair)."""
        return self.documents.has(doc)

    def score_pairs(self, pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact Jaccard, containment and TF-IDF cosine of many document pairs (cosines in one sparse product)."""
        return self.documents.score_pairs(pairs)

    def paragraph_rows(self, places: np.ndarray) -> np.ndarray:
        """The TF-IDF row of each (doc, number) row of ``places``; -1 for one not re-read."""
        rows = self._paragraph_rows
        return np.fromiter((rows.get(p, -1) for p in map(tuple, places.tolist())), np.int64, len(places))

    def paragraph_cosines(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """TF-IDF cosines of paragraph pairs given as ``paragraph_rows``; 0 for one not re-read."""
        known = np.flatnonzero((rows_a >= 0) & (rows_b >= 0))
        out = np.zeros(len(rows_a))
        out[known] = row_dots(self.paragraph_vectors, rows_a[known].tolist(), rows_b[known].tolist())
        return out


def confirm_corpus(settings: PassTwoSettings, state: CorpusState, text_field: str = "text", fmt: str = "auto",
                   workers: Workers | None = None, progress: "Progress | None" = None) -> CorpusReport:
    """Pass two over ``state`` (pass one's), sharing the work with ``workers`` where given; ``progress``: the
    scan's progress line, which the restatement search follows with its own."""
    workers = workers or Workers(1, settings.signer)
    state.finish()
    signer = settings.signer
    screen = signer.restatements is not None
    # Before the re-reading below: the seeds are let go once their candidates are known (``reuse_candidates``),
    # which screens them for restatements meanwhile.
    reuse_pairs = reuse_candidates(signer, state, workers, screen) if signer.reuse is not None else None
    restating = None
    if screen:
        restating = restating_documents(signer, state, None if reuse_pairs is None else reuse_pairs.restating)
    if signer.reuse is None:
        state.release_reuse_seeds()  # made for the restatement screen only
    state.node_tokens, state.node_first = state.node_summary()
    doc_pairs, doc_buckets = document_candidates(settings.lsh, state, settings.jaccard_threshold, workers)
    node_pairs, node_buckets = paragraph_candidates(settings.paragraph_lsh, state, settings.min_passage_words, workers)
    occurrences = _Occurrences(state.occurrences[:, :3])
    shared_nodes = occurrences.shared_nodes()
    # A large bucket's members are all re-read: the second stage may pair any two of them.
    involved_nodes = distinct(np.concatenate((node_pairs.ravel(), shared_nodes, *node_buckets)))
    wanted_paragraphs: dict[int, set[int]] = {}
    for doc, p in state.node_first[involved_nodes].tolist():
        wanted_paragraphs.setdefault(doc, set()).add(p)
    paired = set(doc_pairs.ravel().tolist()).union(*(members.tolist() for members in doc_buckets))
    wanted_docs = sorted(paired | set(wanted_paragraphs))
    # Paragraphs held by more documents than a sentence may be before it is page furniture (``reuse.furniture``):
    # a syndicated story's copies in a few sites are no template.
    frequent = frequent_nodes(state.occurrences, (signer.reuse or ReuseSearch()).furniture_limit(len(state.ids)))
    left_out = furniture_of(state.occurrences, paired, frequent)
    evidence = _reread(settings, state, wanted_docs, paired, wanted_paragraphs, left_out, text_field, fmt, workers)

    dropped: list[tuple[int, int]] = []  # alike as wholes, not beside their furniture (``_confirmed``)
    confirmed, n_candidates = confirmed_in_stages(
        doc_pairs, doc_buckets, len(state.ids), partial(_confirmed, settings, evidence, dropped),
        propose=lambda pairs: pairs[worth(state, pairs, settings.jaccard_threshold)])
    restored = one_story_pairs(dropped, confirmed, state.occurrences, frequent, len(state.ids))
    confirmed = distinct_pairs(*np.concatenate((confirmed.reshape(-1, 2), restored)).T) if len(restored) else confirmed
    clusters, cluster_of = _clusters(confirmed.tolist(), state, evidence, settings.keep)
    reused = _ReusedParagraphs(state, evidence, node_pairs, node_buckets, settings.passage_cosine_threshold)
    edges, n_node_candidates = confirmed_in_stages(node_pairs, node_buckets, state.n_nodes, reused,
                                                   propose=lambda pairs: pairs[across_documents(state, pairs)])
    passages = _passages(settings, state, evidence, edges, shared_nodes, occurrences, cluster_of)
    reread_failed = sorted(evidence.failed)
    del evidence  # the re-read texts' sets and rows: the reuse alignment's memory can be theirs
    reuse, reuse_stats = (find_reuse(settings.signer, state, reuse_pairs, cluster_of, text_field, fmt, workers)
                          if reuse_pairs is not None else ([], {}))
    restate_stats = {} if restating is None else search_restatements(
        signer, state, restating, text_field, fmt, workers, settings.batch_size, settings.batch_chars, progress)
    documents = DocumentList(state.ids, state.paragraphs, state.reports, state.index)
    stats = {
        "document_candidates": n_candidates, "document_pairs_confirmed": len(confirmed),
        "paragraph_candidates": n_node_candidates, "distinct_paragraphs": int(state.n_nodes),
        "documents_reread": len(wanted_docs), "reread_failed": len(reread_failed),
        "capped_buckets": settings.lsh.capped_buckets + settings.paragraph_lsh.capped_buckets,
        "capped_documents": [state.ids[d] for d in state.capped],
    }
    return CorpusReport(documents=documents, clusters=clusters, passages=passages,
                        stats={**stats, **reuse_stats, **restate_stats, "reread_failed_documents": _unread(
                            state, reread_failed, reuse_stats, restate_stats)},
                        reuse=reuse)


def _unread(state: CorpusState, docs: list[int], *steps: dict) -> list[str]:
    """The ids of the documents some step of pass two could not read again (changed or removed), in input order."""
    ids = {state.ids[d] for d in docs}.union(*(step.pop("reread_failed_documents", []) for step in steps))
    return sorted(ids, key=state.index.__getitem__)


def _confirmed(settings: PassTwoSettings, evidence: "Evidence", dropped: list, pairs: np.ndarray) -> np.ndarray:
    """The near-duplicates among candidate document ``pairs`` (both documents re-read): by the rule, and by it again
    on what both hold beside the paragraphs many documents hold, where both hold enough (``corpus.content``); the
    pairs alike only as wholes are added to ``dropped``."""
    scorable = [(a, b) for a, b in pairs.tolist() if evidence.has(a) and evidence.has(b)]
    jaccard, containment, cosine = evidence.score_pairs(scorable)
    passed = is_duplicate(jaccard, containment, cosine, settings.jaccard_threshold, settings.cosine_threshold)
    content, whole = evidence.content, evidence.documents
    alike = np.flatnonzero(passed)  # one with "not" or "👎" added and nothing else says the opposite
    passed[alike[opposite([scorable[k] for k in alike.tolist()], whole.sets, evidence.polarities)]] = False
    judged = [k for k in np.flatnonzero(passed).tolist() if content.has(scorable[k][0]) and content.has(scorable[k][1])]
    if judged:
        alike = alike_beside_furniture([scorable[k] for k in judged], whole, content, settings.jaccard_threshold,
                                       settings.cosine_threshold)
        dropped += [scorable[k] for k in np.asarray(judged)[~alike].tolist()]
        passed[np.asarray(judged)[~alike]] = False
    return np.array([pair for pair, ok in zip(scorable, passed.tolist()) if ok], dtype=np.int64).reshape(-1, 2)


def _reread(settings: PassTwoSettings, state: CorpusState, docs: list[int], paired: set[int],
            wanted_paragraphs: dict[int, set[int]], left_out: dict[int, list[int]], text_field: str, fmt: str,
            workers: Workers) -> Evidence:
    """Re-read ``docs``: measure those in ``paired`` whole (and without their ``left_out`` paragraphs), and the
    ``wanted_paragraphs`` of each."""
    evidence = Evidence()
    failed: set[int] = set()

    def batches() -> Iterator[tuple[tuple[list[str], list[list[int]]], list[int]]]:
        """Batches of re-read texts with the paragraphs wanted of each (``measure``'s arguments), and their
        documents."""
        batch: list[tuple[int, str]] = []
        chars = 0  # counted as the batch grows (summing after each text was quadratic)
        for doc, text in state.texts(docs, text_field, fmt, failed):
            batch.append((doc, text))
            chars += len(text)
            if len(batch) >= settings.batch_size or chars >= settings.batch_chars:
                yield _measure_args(batch, paired, wanted_paragraphs, left_out)
                batch, chars = [], 0
        if batch:
            yield _measure_args(batch, paired, wanted_paragraphs, left_out)

    for docs_measured, measured in workers.ordered(measure, batches()):
        evidence.add(docs_measured, measured, state.idf)
    evidence.failed.update(d for d in failed if d not in evidence.reread)
    evidence.finish()
    # The batches' texts and tokens, and the chunks just joined, were freed in many small pieces that the process
    # would otherwise keep as its peak (100,000 documents of 1,200 words: 1,416 MB held, 1,017 MB after this).
    release_freed()
    return evidence


def _measure_args(batch: list[tuple[int, str]], paired: set[int], wanted_paragraphs: dict[int, set[int]],
                  left_out: dict[int, list[int]]):
    """``measure``'s arguments for a batch of (document, text), and the batch's documents."""
    docs = [d for d, _ in batch]
    whole = [i for i, d in enumerate(docs) if d in paired]
    return ([t for _, t in batch], [sorted(wanted_paragraphs.get(d, ())) for d in docs], whole,
            [left_out.get(d, []) for d in docs]), docs


def _clusters(confirmed: list[tuple[int, int]], state: CorpusState, evidence: Evidence,
              keep: str) -> tuple[list[Cluster], np.ndarray]:
    uf = UnionFind()
    for a, b in confirmed:
        uf.union(a, b)
    cluster_of = np.arange(len(state.ids))
    groups = []
    for members in sorted((sorted(c) for c in uf.components()), key=lambda c: c[0]):
        rep = representative(members, state.lengths, keep, state.dates)
        cluster_of[members] = rep
        groups.append((rep, members))
    pairs = [(rep, doc) for rep, members in groups for doc in members if doc != rep]
    scores = iter(zip(*(x.tolist() for x in evidence.score_pairs(pairs)))) if pairs else iter(())
    clusters = []
    for rep, members in groups:
        matches = [DocumentMatch(state.ids[rep], state.ids[doc], *(round(x, 4) for x in next(scores)))
                   for doc in members if doc != rep]
        clusters.append(Cluster(state.ids[rep], tuple(state.ids[d] for d in members), tuple(matches), keep))
    return clusters, cluster_of


class _Occurrences:
    """(node, doc, paragraph) rows grouped by node."""

    def __init__(self, rows: np.ndarray) -> None:
        order = np.argsort(rows[:, 0], kind="stable")
        self.rows = rows[order]
        self.bounds = np.searchsorted(self.rows[:, 0], np.arange(int(rows[:, 0].max(initial=-1)) + 2))

    def of(self, node: int) -> np.ndarray:
        return self.rows[self.bounds[node] : self.bounds[node + 1]]

    def shared_nodes(self) -> np.ndarray:
        """Nodes (distinct paragraphs) found verbatim in two or more documents."""
        pairs = distinct_pairs(self.rows[:, 0], self.rows[:, 1])
        counts = np.bincount(pairs[:, 0], minlength=len(self.bounds) - 1)
        return np.flatnonzero(counts >= 2)


class _ReusedParagraphs:
    """The paragraph pairs (of distinct nodes) whose TF-IDF cosine reaches ``threshold``: a passage's edges."""

    def __init__(self, state: CorpusState, evidence: Evidence, node_pairs: np.ndarray, node_buckets: list[np.ndarray],
                 threshold: float) -> None:
        nodes = distinct(np.concatenate((node_pairs.ravel(), *node_buckets)))
        self.row_of = np.full(state.n_nodes, -1, dtype=np.int64)
        self.row_of[nodes] = evidence.paragraph_rows(state.node_first[nodes])
        self.evidence, self.threshold = evidence, threshold

    def __call__(self, pairs: np.ndarray) -> np.ndarray:
        cosines = self.evidence.paragraph_cosines(self.row_of[pairs[:, 0]], self.row_of[pairs[:, 1]])
        return pairs[cosines >= self.threshold]


def _passages(settings: PassTwoSettings, state: CorpusState, evidence: Evidence, edges: np.ndarray,
              shared_nodes: np.ndarray, occurrences: _Occurrences, cluster_of: np.ndarray) -> list[Passage]:
    """Passages: the paragraph nodes joined by ``edges`` (``_ReusedParagraphs``) or found verbatim in two
    documents, whose documents span two clusters."""
    components = _components(state.n_nodes, edges, shared_nodes)
    # Copies inside one near-duplicate cluster are that cluster's business, not reuse: keep a
    # component only when its documents span two clusters (counted for all components at once).
    comp_of = np.full(len(occurrences.bounds), -1, dtype=np.int64)
    for c, members in enumerate(components):
        comp_of[members] = c
    rows = occurrences.rows[comp_of[occurrences.rows[:, 0]] >= 0]
    comp = comp_of[rows[:, 0]]
    n_docs = _distinct_per_group(comp, rows[:, 1], len(components))
    n_clusters = _distinct_per_group(comp, cluster_of[rows[:, 1]], len(components))
    passages = []
    for c in np.flatnonzero((n_docs >= 2) & (n_clusters >= 2)).tolist():
        members = components[c].tolist()
        # Boilerplate is held by ``boilerplate_docs`` documents that are not copies of one another: a story's
        # syndicated copies count once (a paragraph of it quoted by one other article is no site furniture, and
        # ``clean --boilerplate`` took it out of the kept copy and of the quote).
        first = dict(zip(members, map(tuple, state.node_first[members].tolist())))
        # ... and that state the same figures: a template filled with each page's is each page's own.
        boilerplate = int(n_clusters[c]) >= settings.boilerplate_docs and \
            len({evidence.figures.get(first[n]) for n in members}) == 1
        if state.node_tokens[members].max() < MIN_PASSAGE_TOKENS and not boilerplate:
            continue  # "Contents", "Figure A" in two pages: no passage, unless page furniture (boilerplate)
        held = np.concatenate([occurrences.of(n) for n in members])
        main = min(members, key=lambda n: (-len(occurrences.of(n)), state.ids[first[n][0]], first[n][1]))
        held = held[np.lexsort((held[:, 2], held[:, 1]))]
        passages.append(Passage(
            text=evidence.snippets.get(first[main], ""),
            documents=int(n_docs[c]),
            occurrences=tuple(Occurrence(state.ids[d], int(p)) for _, d, p in held.tolist()),
            boilerplate=boilerplate,
        ))
    passages.sort(key=lambda p: (-p.documents, p.occurrences[0].doc, p.occurrences[0].paragraph))
    return passages


def _components(n_nodes: int, edges: np.ndarray, shared_nodes: np.ndarray) -> list[np.ndarray]:
    """Connected components under ``edges`` of the paragraph nodes in an edge or in ``shared_nodes``
    (any other node is a component of one paragraph found in one document: never a passage)."""
    if not n_nodes:
        return []
    graph = sparse.coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])),
                              shape=(n_nodes, n_nodes))
    labels = connected_components(graph, directed=False)[1]
    kept = distinct(np.concatenate((edges.ravel(), shared_nodes)))
    kept = kept[np.argsort(labels[kept], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[kept])) + 1
    return np.split(kept, bounds) if len(kept) else []


def _distinct_per_group(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``value`` in each group."""
    pairs = distinct_pairs(group, value)
    return np.bincount(pairs[:, 0], minlength=n_groups)
