"""The learned confirm stage as a cascade: the reranker is asked only about candidates whose TF-IDF score
reaches ``_RERANK_FLOOR`` (or that a shared run or the title rule confirms anyway); the rest are rejected
without it. The floor must change no report of real articles, and must spare the reranker work."""

from __future__ import annotations

from pathlib import Path

import dedup.article.rerank_step as rerank_module
from dedup import Detector
from dedup.confirm.reranker import Reranker

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [ROOT / "data" / "vance_article.txt", *sorted((ROOT / "data" / "dev").glob("*.txt"))]


def _report(text: str) -> tuple:
    report = Detector().detect(text)
    return ([(m.a, m.b, m.score, m.reranker, m.sentences, m.spans, m.confirmed_by, m.kind) for m in report.matches],
            report.groups)


def test_the_floor_changes_no_report_of_a_real_article(monkeypatch):
    assert len(ARTICLES) >= 25
    texts = [path.read_text(encoding="utf-8") for path in ARTICLES]
    with_floor = [_report(text) for text in texts]
    monkeypatch.setattr(rerank_module, "_RERANK_FLOOR", 0.0)
    without = [_report(text) for text in texts]
    assert [path.name for path, a, b in zip(ARTICLES, with_floor, without) if a != b] == []
    assert sum(len(matches) for matches, _ in with_floor) > 50  # the articles do restate things


def _rows_scored(monkeypatch, text: str) -> int:
    rows = []
    predict = Reranker.predict_proba

    def counted(self, dense, a, b):
        rows.append(len(a))
        return predict(self, dense, a, b)

    monkeypatch.setattr(Reranker, "predict_proba", counted)
    Detector().detect(text)
    return sum(rows)


def test_the_reranker_scores_fewer_rows_with_the_floor(monkeypatch):
    text = ARTICLES[0].read_text(encoding="utf-8")
    with_floor = _rows_scored(monkeypatch, text)
    monkeypatch.setattr(rerank_module, "_RERANK_FLOOR", 0.0)
    without = _rows_scored(monkeypatch, text)
    assert 0 < with_floor < 0.8 * without


def test_a_shared_run_still_confirms_under_the_floor(monkeypatch):
    # With every candidate under the floor, only the rules that confirm without the reranker are left: a
    # copied run of words, the title rule.
    monkeypatch.setattr(rerank_module, "_RERANK_FLOOR", 1.0)
    text = ("The council approved the new riverside library budget on Tuesday evening after a long debate.\n\n"
            "Residents spoke for hours about parking and noise near the site.\n\n"
            "Officials said the council approved the new riverside library budget on Tuesday evening, "
            "and construction starts in May.")
    report = Detector().detect(text)
    assert [(m.a, m.b) for m in report.matches] == [(0, 2)]
    assert "shared_run" in report.matches[0].confirmed_by
    assert report.matches[0].reranker is not None  # a pair the rules confirm is still scored
