"""The in-article detector on the labelled development set (data/dev, docs/labelling.md), per split.

For each confirm stage (learned, tfidf) and for the dev half, the held-out half, both together and
the bundled article (for comparison; its gold has no kinds), one row of:

- P / R / F1: precision and recall of "pairs in one group" (every pair of paragraphs the detector
  places in one group, against the gold claim pairs), summed over the articles (micro);
- recall per kind of gold pair: verbatim, edited, reworded, headline (found in one group);
- distractors: "related" pairs placed in one group or reported as a match, of all related pairs;
- clean flagged: articles with no restatement (only the headline over its lede) where the detector
  flagged any other pair, of those articles.

Settings are chosen on the dev half only; the held-out half is reported, never tuned on.

    python benchmarks/dev_set.py [--dev DIR] [--article PATH --gold PATH] [--confirm learned tfidf]
"""

from __future__ import annotations

import argparse
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path

from dedup import Detector
from dedup.article.evaluate import KINDS, Counts, Gold, counts
from dedup.confirm.agreement import AgreementModel
from dedup.confirm.reranker import Reranker

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("dev", "heldout")


@dataclass
class Article:
    name: str
    text: str
    gold: Gold

    @property
    def restatement_free(self) -> bool:
        """Only headline pairs: the headline over its lede, no restatement between body paragraphs."""
        return bool(self.gold.kinds) and all(kind == "headline" for _, kind in self.gold.kinds)


@dataclass
class Totals:
    articles: int = 0
    gold: int = 0
    grouped: int = 0
    grouped_true: int = 0
    related: int = 0
    related_flagged: int = 0
    clean: int = 0
    clean_flagged: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in KINDS})

    def add(self, c: Counts, restatement_free: bool) -> None:
        self.articles += 1
        self.gold += c.gold
        self.grouped += c.grouped
        self.grouped_true += c.grouped_true
        self.related += c.related
        self.related_flagged += c.related_flagged
        if restatement_free:
            self.clean += 1
            self.clean_flagged += c.extra > 0
        for kind, (found, total) in c.by_kind.items():
            self.by_kind[kind][0] += found
            self.by_kind[kind][1] += total

    def figures(self) -> tuple[float, float, float, float]:
        """(precision, recall, F1 of pairs in one group, share of distractors flagged)."""
        p = self.grouped_true / self.grouped if self.grouped else 1.0
        r = self.grouped_true / self.gold if self.gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f1, self.related_flagged / max(self.related, 1)

    def row(self, confirm: str, name: str) -> str:
        p, r, f1, _ = self.figures()
        kinds = " ".join(f"{found / total:>6.3f}" if total else f"{'-':>6}" for found, total in self.by_kind.values())
        distractors = f"{self.related_flagged}/{self.related} {_share(self.related_flagged, self.related)}"
        clean = f"{self.clean_flagged}/{self.clean} {_share(self.clean_flagged, self.clean)}" if self.clean else "-"
        return (f"{confirm:<8} {name:<8} {self.articles:>4} {self.gold:>5} {p:>6.3f} {r:>6.3f} {f1:>6.3f}  {kinds}"
                f"  {distractors:>12}  {clean:>10}")


def _share(n: int, d: int) -> str:
    return f"{n / d:.3f}" if d else "-"


HEADER = (f"{'confirm':<8} {'set':<8} {'arts':>4} {'pairs':>5} {'P':>6} {'R':>6} {'F1':>6}  "
          + " ".join(f"{k[:6]:>6}" for k in KINDS) + f"  {'distractors':>12}  {'clean flag':>10}")


def load(directory: Path) -> list[Article]:
    articles = []
    for gold_path in sorted(directory.glob("*.gold.json")):
        text_path = gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".txt")
        articles.append(Article(text_path.stem, text_path.read_text(encoding="utf-8"), Gold.load(gold_path)))
    if not articles:
        raise SystemExit(f"no *.gold.json in {directory}")
    return articles


def gold_pairs_table(articles: list[Article]) -> None:
    print(f"\ngold pairs per kind and split ({len(articles)} articles)")
    print(f"{'split':<8} {'arts':>4} {'clean':>5} " + " ".join(f"{k:>9}" for k in KINDS) + f" {'related':>8} "
          f"{'ambiguous':>9}")
    for split in (*SPLITS, "all"):
        chosen = [a for a in articles if split == "all" or a.gold.split == split]
        per_kind = [sum(len(a.gold.of_kind(k)) for a in chosen) for k in KINDS]
        print(f"{split:<8} {len(chosen):>4} {sum(a.restatement_free for a in chosen):>5} "
              + " ".join(f"{n:>9}" for n in per_kind)
              + f" {sum(len(a.gold.related) for a in chosen):>8} {sum(len(a.gold.ambiguous) for a in chosen):>9}")


def _agreement(path: Path | None, mode: str) -> AgreementModel | str:
    """The agreement model of ``mode`` in ``path`` (``train_agreement.py -o``), or the shipped one."""
    if path is None:
        return "default"
    models = json.loads(path.read_text(encoding="utf-8"))["models"]
    return AgreementModel.from_dict(next(m for m in models if m["mode"] == mode))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", default=ROOT / "data" / "dev", type=Path, help="folder of NAME.txt + NAME.gold.json")
    parser.add_argument("--article", default=ROOT / "data" / "vance_article.txt", type=Path)
    parser.add_argument("--gold", default=ROOT / "data" / "vance_article.gold.json", type=Path)
    parser.add_argument("--confirm", nargs="+", default=["learned", "tfidf"], choices=["learned", "tfidf"])
    parser.add_argument("--per-article", action="store_true", help="also print each article's counts")
    parser.add_argument("--model", type=Path, default=None,
                        help="a reranker file (train_reranker.py -o) instead of the shipped one")
    parser.add_argument("--agreement", type=Path, default=None,
                        help="an agreement file (train_agreement.py -o) instead of the shipped one")
    parser.add_argument("--compare-amounts", action="store_true",
                        help="also run each confirm stage without its agreement model (rows '-amt')")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a Detector parameter for every run (a number or a word), e.g. --param min_shared_words=0 "
                             "to measure a variant; repeatable")
    args = parser.parse_args()
    params = {name: _value(value) for name, _, value in (p.partition("=") for p in args.param)}

    articles = load(args.dev)
    bundled = Article(args.article.stem, args.article.read_text(encoding="utf-8"), Gold.load(args.gold))
    print(f"development set {args.dev}: {len(articles)} articles; bundled article {args.article.name}; "
          f"Python {platform.python_version()}")
    gold_pairs_table(articles)

    print("\npairs in one group: P, R, F1 (micro over articles); recall per kind; distractors = related pairs "
          "in one group or matched;\nclean flag = restatement-free articles with any other pair flagged")
    print(HEADER)
    with_amounts = (True, False) if args.compare_amounts else (True,)
    for confirm, amounts in [(c, a) for c in args.confirm for a in with_amounts]:
        model = Reranker.load(args.model) if args.model and confirm == "learned" else None
        agreement = _agreement(args.agreement, confirm) if amounts else None
        detector = Detector(confirm=confirm, reranker=model, agreement=agreement, **params)
        if not amounts:
            confirm += "-amt"
        totals = {name: Totals() for name in (*SPLITS, "all")}
        for article in articles:
            c = counts(detector.detect(article.text, doc_id=article.name), article.gold)
            for name in (article.gold.split, "all"):
                totals[name].add(c, article.restatement_free)
            if args.per_article:
                print(f"  {article.name:<32} {article.gold.split:<8} {c}")
        bundled_totals = Totals()
        bundled_totals.add(counts(detector.detect(bundled.text, doc_id=bundled.name), bundled.gold), False)
        for name, t in (*totals.items(), ("bundled", bundled_totals)):
            print(t.row(confirm, name))


def _value(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


if __name__ == "__main__":
    main()
