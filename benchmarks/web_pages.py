"""Restatements the in-article detector reports on real web pages, which it was never tuned on, and how many of
them a reader agrees with.

The pages are the first ``--docs`` source documents (by name) of the PAN 2013 text-alignment training corpus
(``../shared/eval/pan13-train``, read in place): forum threads, product and hotel listings, ship's logs,
history and health pages, scraped as plain text. Most state many figures and names and repeat templates,
which news articles rarely do, so they test the confirm stage's rules where the development set
(``data/dev``, news) cannot. Each page is in one half by a hash of its name (``dev``: rules were looked at
on it; ``heldout``: reported only).

``data/web_pairs.labels.jsonl`` holds a reader's labels of paragraph pairs of these pages (by page name and
paragraph numbers; no text of the corpus is kept): ``same`` when the two restate each other, ``different``
when they share names, figures, a template or the topic but state other facts, ``unsure``. They were written
by reading the pairs the detector of 2026-12-04 (before and after that day's rules) reported, at most two a
page, without seeing which rule confirmed a pair or its score. Printed per half and confirm stage:

- pages with a reported restatement, and matches in all (one page of archive listings has thousands);
- matches by what confirmed them (``confirmed_by``);
- of the labelled pairs: how many are reported, and the share of those a reader calls ``same`` (precision
  among labelled pairs; ``unsure`` left out), and how many labelled ``same`` pairs are reported (recall among
  them: the labelled pairs are only those some version reported, so this says what a change loses).

    python benchmarks/web_pages.py [--eval DIR] [--docs 800] [--confirm learned tfidf] [--param NAME=VALUE]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dev_set import _value  # noqa: E402
from evalsets import DEFAULT_EVAL  # noqa: E402

from dedup import Detector  # noqa: E402
from dedup.confirm.reranker import Reranker  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "data" / "web_pairs.labels.jsonl"


def source_pages(eval_dir: Path, count: int) -> dict[str, str]:
    """The first ``count`` source documents of PAN 2013's training pairs, by name."""
    path = Path(eval_dir) / "pan13-train" / "pairs.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"error: {path} not found (pass --eval DIR pointing at shared/eval)")
    pages: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            pages.setdefault(record["src"], record["src_text"])
    return {name: pages[name] for name in sorted(pages)[:count]}


def half(name: str) -> str:
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def load_labels(path: Path) -> dict[tuple[str, int, int], str]:
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as lines:
        return {(r["doc"], r["a"], r["b"]): r["label"] for r in map(json.loads, lines)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the shared/eval folder")
    parser.add_argument("--docs", type=int, default=800)
    parser.add_argument("--confirm", nargs="+", default=["learned", "tfidf"], choices=["learned", "tfidf"])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a Detector parameter for every run, as in dev_set.py; repeatable")
    parser.add_argument("--model", type=Path, default=None,
                        help="a reranker file (train_reranker.py -o) instead of the shipped one")
    args = parser.parse_args()
    params = {name: _value(value) for name, _, value in (p.partition("=") for p in args.param)}
    pages, labels = source_pages(args.eval, args.docs), load_labels(args.labels)
    print(f"{len(pages)} PAN 2013 source pages; {len(labels)} labelled pairs "
          f"({collections.Counter(labels.values()).most_common()})")
    for confirm in args.confirm:
        model = Reranker.load(args.model) if args.model and confirm == "learned" else None
        detector = Detector(confirm=confirm, reranker=model, **params)
        found: dict[str, dict[tuple[str, int, int], tuple[str, ...]]] = {"dev": {}, "heldout": {}}
        flagged = collections.Counter()
        for name, text in pages.items():
            report = detector.detect(text, doc_id=name)
            flagged[half(name)] += bool(report.matches)
            found[half(name)].update({(name, m.a, m.b): m.confirmed_by for m in report.matches})
        for split, matches in found.items():
            pages_in = sum(1 for n in pages if half(n) == split)
            labelled = {k: v for k, v in labels.items() if half(k[0]) == split and v != "unsure"}
            reported = [labelled[k] for k in matches if k in labelled]
            same = sum(1 for v in labelled.values() if v == "same")
            precision = reported.count("same") / len(reported) if reported else float("nan")
            print(f"\n{confirm} {split}: {flagged[split]} of {pages_in} pages with a restatement, "
                  f"{len(matches)} matches; labelled pairs reported {len(reported)}, "
                  f"{reported.count('same')} 'same' (precision {precision:.3f}); "
                  f"'same' pairs reported {reported.count('same')} of {same}")
            by = collections.Counter(matches.values())
            for reasons, n in by.most_common():
                judged = [labelled[k] for k, r in matches.items() if r == reasons and k in labelled]
                print(f"  {'+'.join(reasons):<40} {n:>6}   labelled {len(judged):>3}, same {judged.count('same'):>3}")


if __name__ == "__main__":
    main()
