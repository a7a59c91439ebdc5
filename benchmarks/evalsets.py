"""Readers for the public labelled sets in ``../shared/eval`` (never copied into the repository).

Each reader takes the folder of one set (as its SOURCE.md describes it) and
returns plain lists; a missing folder is a one-line error naming the path.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
NEWS_GENRE = "main-news"
CLOUGH_CLASSES = ("non", "heavy", "light", "cut")  # increasing reuse


@dataclass(frozen=True)
class PairSet:
    """Text pairs with a label (0/1, or a graded score) and a group (task, genre, source)."""

    name: str
    a: list[str]
    b: list[str]
    labels: list[float]
    groups: list[str]

    def __len__(self) -> int:
        return len(self.a)


def _folder(root: Path, name: str) -> Path:
    folder = Path(root) / name
    if not folder.is_dir():
        raise SystemExit(f"error: {folder} not found (pass --eval DIR pointing at shared/eval)")
    return folder


def load_mrpc(root: Path, split: str) -> PairSet:
    """MRPC ``train`` or ``test``: news sentence pairs, 1 = paraphrase."""
    path = _folder(root, "mrpc") / f"msr_paraphrase_{split}.txt"
    a, b, labels = [], [], []
    with open(path, encoding="utf-8-sig") as handle:
        next(handle)
        for line in handle:
            quality, _, _, first, second = line.rstrip("\n").split("\t")
            a.append(first)
            b.append(second)
            labels.append(float(quality))
    return PairSet(f"mrpc-{split}", a, b, labels, ["mrpc"] * len(a))


def load_sts(root: Path, split: str, news_only: bool = True) -> PairSet:
    """STS Benchmark ``train``/``dev``/``test``; graded 0-5 scores, news genre only by default."""
    path = _folder(root, "stsbenchmark") / f"sts-{split}.csv"
    a, b, labels, groups = [], [], [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if news_only and fields[0] != NEWS_GENRE:
                continue
            a.append(fields[5])
            b.append(fields[6])
            labels.append(float(fields[4]))
            groups.append(fields[1])
    return PairSet(f"sts-{split}", a, b, labels, groups)


def load_clough(root: Path) -> PairSet:
    """Clough-Stevenson: each answer against its task's source; label = index in CLOUGH_CLASSES, group = task."""
    folder = _folder(root, "clough-stevenson-plagiarism") / "data"

    def read(name: str) -> str:
        return (folder / name).read_bytes().decode("utf-8", errors="replace")

    a, b, labels, groups = [], [], [], []
    with open(folder / "file_information.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Category"] == "orig":
                continue
            a.append(read(row["File"]))
            b.append(read(f"orig_task{row['Task']}.txt"))
            labels.append(float(CLOUGH_CLASSES.index(row["Category"])))
            groups.append(row["Task"])
    return PairSet("clough-stevenson", a, b, labels, groups)
