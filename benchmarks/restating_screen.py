"""The scan's first restatement step, measured: which documents it searches, and what it would lose.

A corpus scan searches a document for restatements only when two of its sentences share two uncommon words
or a run of words, or its headline or amounts could make a restatement (``reuse.restating``,
``article.screen``). This scans one corpus made of several sets with ``dedup.CorpusScanner`` (reuse off,
the default detector) and runs the detector on every document alone, and prints, per set: the share of its
documents the scan searched, the documents the detector alone reports restatements in, and those the scan
does not report (lost). Sets: the dev and held-out halves of ``data/dev``, the bundled article, generated
random-word documents, and with ``--eval``: MRPC's train and test pairs (each a two-paragraph document) and
PAN 2013's web documents.

    python benchmarks/restating_screen.py --eval ../shared/eval --pan-docs 1500 --docs 1000
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rerank_floor  # noqa: E402

from dedup import CorpusScanner, Detector  # noqa: E402
from dedup.io.readers import Document  # noqa: E402
from dedup.report.formats import report_to_dict  # noqa: E402


def document_sets(eval_root: Path | None, pan_docs: int, docs: int) -> dict[str, list[str]]:
    """``rerank_floor``'s sets (the dev set's halves, the article, MRPC, generated documents), PAN's web pages
    before the generated ones."""
    sets = rerank_floor.document_sets(eval_root, docs)
    generated = sets.pop("generated")
    if eval_root is not None:
        sets["PAN web pages"] = pan_texts(eval_root / "pan13-train" / "pairs.jsonl.gz", pan_docs)
    return {**sets, "generated": generated}


def pan_texts(path: Path, limit: int) -> list[str]:
    """The first ``limit`` distinct documents of PAN's pairs, suspicious and source, in file order."""
    seen, texts = set(), []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            for side in ("susp", "src"):
                if record[side] not in seen and len(texts) < limit:
                    seen.add(record[side])
                    texts.append(record[side + "_text"])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=None, help="../shared/eval (MRPC, PAN); optional")
    parser.add_argument("--pan-docs", type=int, default=1500)
    parser.add_argument("--docs", type=int, default=1000, help="generated random-word documents (seed 3)")
    args = parser.parse_args()
    sets = document_sets(args.eval, args.pan_docs, args.docs)
    corpus = [(f"{name}/{i}", text) for name, texts in sets.items() for i, text in enumerate(texts)]
    print(f"python {platform.python_version()}, {platform.machine()}; "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {len(corpus)} documents scanned as one corpus")
    started = time.perf_counter()
    scanner, searched_texts = CorpusScanner(reuse=False, jobs=1), set()
    search = scanner.signer.restatements

    def noting(text: str):
        searched_texts.add(text)
        return search(text)

    scanner.signer.restatements = noting  # one process: the search runs here
    report = scanner.scan(Document(i, t) for i, t in corpus)
    scanned = time.perf_counter() - started
    found = {r.id: report_to_dict(r.report) for r in report.documents if r.report is not None}
    detector, alone, started = Detector(), {}, time.perf_counter()
    for doc_id, text in corpus:
        result = detector.detect(text, doc_id=doc_id)
        if result.matches or result.candidates_dropped:
            alone[doc_id] = report_to_dict(result)
    detected = time.perf_counter() - started
    searched = report.stats["restatement_documents_searched"]
    print(f"scan {scanned:.1f} s ({searched} documents searched); the detector on every document {detected:.1f} s")
    print(f"{'set':<16} {'docs':>6} {'searched':>9} {'with restatements alone':>24} {'lost':>5} {'changed':>8}")
    for name, texts in sets.items():
        ids = [f"{name}/{i}" for i in range(len(texts))]
        with_alone = [i for i in ids if i in alone]
        lost = [i for i in with_alone if i not in found]
        changed = [i for i in with_alone if i in found and found[i] != alone[i]]
        share = sum(1 for t in texts if t in searched_texts) / max(len(texts), 1)
        print(f"{name:<16} {len(ids):>6} {share:>9.3f} {len(with_alone):>24} {len(lost):>5} {len(changed):>8}")
        for doc_id in lost[:5]:
            print(f"    lost: {doc_id}: {dict(corpus)[doc_id][:160]!r}")


if __name__ == "__main__":
    main()
