"""Reuse in Chinese text: passages found and false links, pair by pair and in a corpus scan, in one run.

No labelled Chinese reuse corpus is at hand, so the texts are drawn from a Chinese word-frequency list
(``--words``: lines of ``word frequency [tag]``, such as the ``dict.txt`` the ``jieba`` package ships; only
words written in Chinese characters, seen at least 5 times): sentences of 8 to 19 words, a comma every
seventh, ending in "。". Common characters (的, 是, 了) then recur at the rate real text has them, which is
what a false link between two texts is made of; what is said is nonsense, so this measures the mechanics
(units, seeds, lengths, copied runs, spans), not how well a rewording is recognised.

1. ``align_texts`` of ``--pairs`` unrelated documents (six paragraphs of two to four sentences), and as many
   pairs on one topic (each document draws 15% of its words from 20 words of its topic): pairs linked.
2. A paragraph of 1 to 4 sentences of one document put in another, verbatim or with every seventh character
   dropped: pairs whose copy is found, and verbatim copies found to the character.
3. ``dedup scan --no-within`` of ``--docs`` documents, 40 of them reusing three consecutive sentences of
   another (half verbatim, half edited as above): planted pairs linked, and records between other pairs.

    python benchmarks/reuse_cjk.py --words PATH/jieba/dict.txt [--pairs 300] [--docs 400] [--seed 0]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dedup import align_texts

HAN = range(0x4E00, 0xA000)


class Words:
    """Chinese words drawn by their frequency in a word list."""

    def __init__(self, path: Path) -> None:
        self.words: list[str] = []
        counts: list[int] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[1].isdigit() and int(fields[1]) >= 5 \
                    and all(ord(c) in HAN for c in fields[0]):
                self.words.append(fields[0])
                counts.append(int(fields[1]))
        if not self.words:
            raise SystemExit(f"{path}: no lines of 'word frequency' with a Chinese word")
        self.cumulative = list(itertools.accumulate(counts))

    def word(self, rng: random.Random, topic: list[str] | None = None) -> str:
        if topic and rng.random() < 0.15:
            return rng.choice(topic)
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def sentence(self, rng: random.Random, topic: list[str] | None = None) -> str:
        n = rng.randrange(8, 20)
        parts = []
        for i in range(n):
            parts.append(self.word(rng, topic))
            if i and i % 7 == 0 and i < n - 1:
                parts.append("，")
        return "".join(parts) + "。"

    def paragraph(self, rng: random.Random, sentences: int | None = None, topic: list[str] | None = None) -> str:
        return "".join(self.sentence(rng, topic) for _ in range(sentences or rng.randrange(2, 5)))

    def document(self, rng: random.Random, topic: list[str] | None = None, paragraphs: int = 6) -> str:
        return "\n\n".join(self.paragraph(rng, topic=topic) for _ in range(paragraphs))

    def topic(self, rng: random.Random) -> list[str]:
        return [rng.choice(self.words) for _ in range(20)]


def edited(text: str) -> str:
    """Every seventh character dropped."""
    return "".join(c for i, c in enumerate(text) if i % 7 != 3)


def false_links(words: Words, rng: random.Random, pairs: int) -> str:
    plain = sum(bool(align_texts(words.document(rng), words.document(rng))) for _ in range(pairs))
    topical = 0
    for _ in range(pairs):
        topic = words.topic(rng)
        topical += bool(align_texts(words.document(rng, topic), words.document(rng, topic)))
    return f"align_texts, pairs linked: unrelated {plain} of {pairs}, on one topic {topical} of {pairs}"


def copies_found(words: Words, rng: random.Random, trials: int = 100) -> list[str]:
    lines = []
    for sentences in (1, 2, 3, 4):
        found = {"verbatim": 0, "edited": 0}
        exact = chars = 0
        for _ in range(trials):
            shared = words.paragraph(rng, sentences)
            chars += len(shared)
            a = words.document(rng).split("\n\n")
            a.insert(3, shared)
            a = "\n\n".join(a)
            where = a.index(shared)
            other = words.document(rng).split("\n\n")
            for kind in found:
                b = "\n\n".join(other[:2] + [shared if kind == "verbatim" else edited(shared)] + other[2:])
                hits = [r for r in align_texts(a, b) if r.a_span[0] < where + len(shared) and r.a_span[1] > where]
                found[kind] += bool(hits)
                exact += kind == "verbatim" and any(a[r.a_span[0]:r.a_span[1]] == shared for r in hits)
        lines.append(f"  {sentences} sentence(s), {chars / trials:.0f} characters on average: verbatim found "
                     f"{found['verbatim']} of {trials} ({exact} to the character), "
                     f"edited {found['edited']} of {trials}")
    return lines


def scan(words: Words, rng: random.Random, docs: int) -> list[str]:
    corpus = [{"id": f"z{i}", "text": words.document(rng)} for i in range(docs)]
    plants: dict[frozenset, str] = {}
    for k in range(40):
        target, source = rng.sample(range(docs), 2)
        sentences = [s + "。" for s in "".join(corpus[source]["text"].split("\n\n")).split("。") if s]
        start = rng.randrange(len(sentences) - 3)
        run = "".join(sentences[start:start + 3])
        kind = "verbatim" if k % 2 == 0 else "edited"
        paragraphs = corpus[target]["text"].split("\n\n")
        paragraphs.insert(rng.randrange(1, len(paragraphs)), run if kind == "verbatim" else edited(run))
        corpus[target]["text"] = "\n\n".join(paragraphs)
        plants[frozenset((corpus[target]["id"], corpus[source]["id"]))] = kind
    with tempfile.TemporaryDirectory() as folder:
        path, out = os.path.join(folder, "zh.jsonl"), os.path.join(folder, "report.json")
        with open(path, "w", encoding="utf-8") as handle:
            for doc in corpus:
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dedup", "scan", path, "--no-within", "-q", "-f", "json", "-o", out],
                       check=False)
        seconds = time.perf_counter() - started
        report = json.loads(Path(out).read_text(encoding="utf-8"))
    linked = {frozenset((r["a"], r["b"])) for r in report["reuse"]}
    lines = [f"dedup scan --no-within of {docs} documents ({seconds:.1f} s): {len(report['reuse'])} reuse records"]
    for kind in ("verbatim", "edited"):
        planted = [pair for pair, k in plants.items() if k == kind]
        lines.append(f"  planted {kind}: {sum(pair in linked for pair in planted)} of {len(planted)} pairs linked")
    # Two documents that reused one source share its sentences too, and so do a chain's (a reusing document reused).
    group = {doc["id"]: doc["id"] for doc in corpus}

    def root(doc: str) -> str:
        while group[doc] != doc:
            doc = group[doc]
        return doc

    for pair in plants:
        first, second = sorted(pair)
        group[root(first)] = root(second)
    related = {pair for pair in linked - set(plants) if len({root(doc) for doc in pair}) == 1}
    lines.append(f"  records between documents with nothing planted: {len(linked - set(plants) - related)} (between "
                 f"two documents reusing one source's sentences, or in a chain: {len(related)})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=Path, required=True,
                        help="a Chinese word-frequency list, lines of 'word frequency [tag]' (jieba's dict.txt)")
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    words = Words(args.words)
    rng = random.Random(args.seed)
    print(f"{len(words.words):,} words from {args.words}; seed {args.seed}")
    print(false_links(words, rng, args.pairs))
    print("a copied paragraph, align_texts:")
    print("\n".join(copies_found(words, rng)))
    print("\n".join(scan(words, rng, args.docs)))


if __name__ == "__main__":
    main()
