"""The index and the corpus scan agree: the same documents give the same near-duplicates, with the same
scores, and the same reused passages, whichever entry point a user takes (one scoring core, one rule)."""

import itertools
from pathlib import Path

import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup import CorpusScanner, Index
from dedup.io.readers import Document, read_documents
from tests.planted import planted_corpus

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_corpus.jsonl"


def _planted() -> list[Document]:
    records, _ = planted_corpus()
    return [Document(r["id"], r["body"]) for r in records]


def _sample() -> list[Document]:
    return [d for d in read_documents([str(SAMPLE)], text_field="body") if isinstance(d, Document)]


def _components(ids: list[str], edges: set[tuple[str, str]]) -> set[frozenset[str]]:
    number = {doc: i for i, doc in enumerate(ids)}
    rows = [number[a] for a, _ in edges]
    cols = [number[b] for _, b in edges]
    graph = sparse.coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, set[str]] = {}
    for doc, label in zip(ids, labels):
        groups.setdefault(label, set()).add(doc)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


@pytest.mark.parametrize("corpus", [_planted, _sample], ids=["planted", "sample"])
def test_index_and_scan_agree_on_near_duplicates_and_passages(tmp_path, corpus):
    docs = corpus()
    report = CorpusScanner(detector=None).scan(docs)
    with Index(str(tmp_path / "i.db"), within=False) as index:
        index.add_many(docs)
        # Each against all the others: checked as a new page (an indexed id is compared with the documents indexed
        # before it only), its own entry left out.
        verdicts = {d.id: index.check(f"{d.id}#probe", d.text) for d in docs}
    for doc, verdict in verdicts.items():
        verdict.duplicates = [m for m in verdict.duplicates if m.doc != doc]
        verdict.passages = [p for p in verdict.passages if p.doc != doc]

    edges = {tuple(sorted((doc, m.doc))) for doc, v in verdicts.items() for m in v.duplicates}
    clusters = {frozenset(c.members) for c in report.clusters}
    assert clusters, "the corpus has near-duplicates to agree on"
    assert _components([d.id for d in docs], edges) == clusters

    # The scores of each cluster member against its representative are the same numbers.
    for cluster in report.clusters:
        for m in cluster.matches:
            found = next(x for x in verdicts[m.b].duplicates if x.doc == m.a)
            assert (found.jaccard, found.containment, found.cosine) == pytest.approx(
                (m.jaccard, m.containment, m.cosine), abs=1e-3)

    # Reused passages: every pair of occurrences the scan joins (from documents of different clusters),
    # the index links too.
    cluster_of = {doc: i for i, c in enumerate(report.clusters) for doc in c.members}
    linked = {(doc, p.paragraph, p.doc, p.number) for doc, v in verdicts.items() for p in v.passages}
    compared = 0
    for passage in report.passages:
        for x, y in itertools.permutations(passage.occurrences, 2):
            if x.doc == y.doc or (x.doc in cluster_of and cluster_of.get(x.doc) == cluster_of.get(y.doc)):
                continue
            assert (x.doc, x.paragraph, y.doc, y.paragraph) in linked or passage.documents > 5, (passage.text, x, y)
            compared += 1
    assert compared, "the corpus has reused passages to agree on"
