"""Synthetic corpus with planted near-duplicates, shared by the corpus benchmarks.

Documents are about ``words`` words in 4-6 paragraphs (separated by a blank
line) of capitalized sentences of 8-20 words ending with ".". Words come from
a Zipf-distributed (exponent 1.05) vocabulary of 50,000 pronounceable
synthetic words, mixed with English stop words at about the rate English
text has them. A share ``dup_rate`` of the documents are near-duplicates of a
random earlier original, made by one of: word edits (3-8% of words replaced,
inserted or deleted), dropping one or two sentences, truncation to the first
50-70% (at a paragraph boundary or mid-paragraph), a new first paragraph, or
a light word edit plus a sentence drop.

Each original is a pure function of ``(seed, index)``, so ``iter_corpus``
streams any number of documents in constant memory (``memory.py``), and
``generate`` collects them (``throughput.py``).

    python benchmarks/corpusgen.py --docs 1000 --out corpus.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
from functools import lru_cache
from typing import IO, Iterable, Iterator

import numpy as np

Doc = list[list[list[str]]]  # paragraphs -> sentences -> words

VOCAB_SIZE = 50_000
ZIPF_EXPONENT = 1.05
STOP_SHARE = 0.42  # share of running words that are stop words
# Most frequent English function words, roughly in frequency order.
STOP_WORDS = ("the of and to a in is that for it as was with be by on not he this are or his from at which but "
              "have an they you were her she there been one all we their has would when if will more no out "
              "so said what up its about into than them can only other new some could these two may then do "
              "first any my now such like our over man me even most made after also did many before must").split()
ONSETS = ("b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr bl cl fl gl pl sl st sp sk ch sh th qu "
          "").split() + [""]
NUCLEI = "a e i o u a e i o ai ea ou io".split()
CODAS = [""] * 6 + "n r s l m t nd st rt ng".split()
EDITS = ("words", "drop", "truncate", "headline", "edit+drop")


@lru_cache(maxsize=None)
def vocabulary() -> np.ndarray:
    """50,000 distinct pronounceable words of 1-4 syllables (fixed, independent of the corpus seed)."""
    rng = np.random.default_rng(20240601)
    syllables = [o + n + c for o in ONSETS for n in NUCLEI for c in CODAS]
    stops = set(STOP_WORDS)
    words: dict[str, None] = {}
    while len(words) < VOCAB_SIZE:
        counts = rng.choice([1, 2, 3, 4], size=VOCAB_SIZE, p=[0.15, 0.45, 0.3, 0.1])
        picks = rng.integers(len(syllables), size=(VOCAB_SIZE, 4))
        for count, row in zip(counts.tolist(), picks.tolist()):
            word = "".join(syllables[i] for i in row[:count])
            if len(word) > 2 and word not in stops:
                words[word] = None
    return np.array(list(words)[:VOCAB_SIZE], dtype=object)


@lru_cache(maxsize=None)
def _cdfs() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative Zipf distributions over the vocabulary and over the stop words."""
    def cdf(n: int) -> np.ndarray:
        weights = 1.0 / np.arange(1, n + 1) ** ZIPF_EXPONENT
        return np.cumsum(weights) / weights.sum()
    return cdf(VOCAB_SIZE), cdf(len(STOP_WORDS))


def draw_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` running words: stop words at ``STOP_SHARE``, the rest Zipf-drawn from the vocabulary."""
    vocab_cdf, stop_cdf = _cdfs()
    u = rng.random(n)
    stop = rng.random(n) < STOP_SHARE
    content = vocabulary()[np.minimum(np.searchsorted(vocab_cdf, u), VOCAB_SIZE - 1)]
    stops = np.array(STOP_WORDS, dtype=object)[np.minimum(np.searchsorted(stop_cdf, u), len(STOP_WORDS) - 1)]
    return np.where(stop, stops, content).tolist()


def make_sentences(rng: np.random.Generator, n_words: int) -> list[list[str]]:
    """Sentences of 8-20 words adding up to at least ``n_words``."""
    lengths: list[int] = []
    while sum(lengths) < n_words:
        lengths.append(int(rng.integers(8, 21)))
    flat = draw_words(rng, sum(lengths))
    bounds = np.cumsum([0] + lengths)
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def make_document(rng: np.random.Generator, words: int) -> Doc:
    """One original: about ``words`` words in 4-6 paragraphs."""
    target = int(words * rng.uniform(0.9, 1.1))
    sentences = make_sentences(rng, target)
    n_par = min(int(rng.integers(4, 7)), len(sentences))
    cuts = np.sort(rng.choice(np.arange(1, len(sentences)), size=n_par - 1, replace=False)) if n_par > 1 else []
    bounds = [0, *map(int, cuts), len(sentences)]
    return [sentences[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def render(doc: Doc) -> str:
    """Text of a document: capitalized sentences ending with ".", paragraphs split by a blank line."""
    def sentence(ws: list[str]) -> str:
        return " ".join([ws[0].capitalize(), *ws[1:]]) + "."
    return "\n\n".join(" ".join(sentence(s) for s in p if s) for p in doc if any(p))


def _sentence_slots(doc: Doc) -> list[tuple[int, int]]:
    return [(p, s) for p, para in enumerate(doc) for s in range(len(para))]


def edit_words(rng: np.random.Generator, doc: Doc, rate: float) -> Doc:
    """Replace, insert or delete about ``rate`` of the words (each operation equally likely)."""
    out: Doc = []
    for para in doc:
        new_para = []
        for sent in para:
            ops = rng.random(len(sent))
            kinds = rng.integers(0, 3, len(sent))
            fresh = draw_words(rng, len(sent))
            new_sent: list[str] = []
            for word, op, kind, other in zip(sent, ops, kinds, fresh):
                if op >= rate:
                    new_sent.append(word)
                elif kind == 0:
                    new_sent.append(other)
                elif kind == 1:
                    new_sent.extend((word, other))
            new_para.append(new_sent or sent[:1])
        out.append(new_para)
    return out


def drop_sentences(rng: np.random.Generator, doc: Doc) -> Doc:
    """Drop one or two sentences (never a paragraph's only one)."""
    slots = [(p, s) for p, s in _sentence_slots(doc) if len(doc[p]) > 1]
    n = min(int(rng.integers(1, 3)), len(slots))
    dropped = {slots[i] for i in rng.choice(len(slots), size=n, replace=False)} if n else set()
    return [[sent for s, sent in enumerate(para) if (p, s) not in dropped] for p, para in enumerate(doc)]


def truncate(rng: np.random.Generator, doc: Doc) -> Doc:
    """Keep the first 50-70% of the words: up to the nearest paragraph boundary, or cut mid-paragraph."""
    sizes = np.array([sum(len(s) for s in para) for para in doc])
    ends = np.cumsum(sizes)
    keep = int(ends[-1] * rng.uniform(0.5, 0.7))
    if len(doc) > 1 and rng.random() < 0.5:
        whole = int(np.argmin(np.abs(ends[:-1] - keep))) + 1
        return doc[:whole]
    full = int(np.searchsorted(ends, keep, side="right"))
    seen = int(ends[full - 1]) if full else 0
    return [*doc[:full], _cut_paragraph(doc[full], keep - seen)] if keep > seen else doc[:full]


def _cut_paragraph(para: list[list[str]], n_words: int) -> list[list[str]]:
    out: list[list[str]] = []
    for sent in para:
        if n_words <= 0:
            break
        out.append(sent[:n_words])
        n_words -= len(sent)
    return out or [para[0]]


def new_headline(rng: np.random.Generator, doc: Doc) -> Doc:
    """Replace the first paragraph with a new one of about the same length."""
    size = sum(len(s) for s in doc[0])
    return [make_sentences(rng, max(size, 8)), *doc[1:]]


def make_copy(rng: np.random.Generator, doc: Doc) -> tuple[Doc, str]:
    """A near-duplicate of ``doc`` and the name of the edit that made it."""
    kind = EDITS[int(rng.integers(len(EDITS)))]
    if kind == "words":
        return edit_words(rng, doc, rng.uniform(0.03, 0.08)), kind
    if kind == "drop":
        return drop_sentences(rng, doc), kind
    if kind == "truncate":
        return truncate(rng, doc), kind
    if kind == "headline":
        return new_headline(rng, doc), kind
    return drop_sentences(rng, edit_words(rng, doc, rng.uniform(0.01, 0.03))), kind


def _original(seed: int, index: int, words: int) -> Doc:
    return make_document(np.random.default_rng([seed, index]), words)


def doc_id(index: int) -> str:
    return f"d{index:07d}"


def iter_corpus(n_docs: int, words: int = 300, dup_rate: float = 0.10,
                seed: int = 0) -> Iterator[tuple[dict, tuple[str, str] | None]]:
    """Stream ``(doc, planted pair or None)``; the pair is (original id, copy id)."""
    layout = np.random.default_rng([seed, 1 << 40])
    n_copies = min(int(round(n_docs * dup_rate)), max(n_docs - 1, 0))
    copies = set((1 + layout.permutation(n_docs - 1)[:n_copies]).tolist()) if n_docs > 1 else set()
    originals: list[int] = []
    for i in range(n_docs):
        if i in copies:
            source = originals[int(layout.integers(len(originals)))]
            doc, _ = make_copy(np.random.default_rng([seed, i]), _original(seed, source, words))
            yield {"id": doc_id(i), "text": render(doc)}, (doc_id(source), doc_id(i))
        else:
            originals.append(i)
            yield {"id": doc_id(i), "text": render(_original(seed, i, words))}, None


def generate(n_docs: int, words: int = 300, dup_rate: float = 0.10,
             seed: int = 0) -> tuple[list[dict], set[tuple[str, str]]]:
    """``n_docs`` documents ({"id", "text"}) and the planted (original id, copy id) pairs."""
    docs, planted = [], set()
    for doc, pair in iter_corpus(n_docs, words, dup_rate, seed):
        docs.append(doc)
        if pair is not None:
            planted.add(pair)
    return docs, planted


def _open(path: str) -> IO[str]:
    return gzip.open(path, "wt", encoding="utf-8") if path.endswith(".gz") else open(path, "w", encoding="utf-8")


def write_jsonl(docs: Iterable[dict], path: str) -> int:
    """Write documents one JSON object a line (gzip if ``path`` ends in .gz); return bytes of text written."""
    size = 0
    with _open(path) as out:
        for doc in docs:
            size += len(doc["text"].encode("utf-8"))
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--dup-rate", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    docs, planted = generate(args.docs, args.words, args.dup_rate, args.seed)
    write_jsonl(docs, args.out)
    print(f"{len(docs)} documents, {len(planted)} planted pairs -> {args.out}")


if __name__ == "__main__":
    main()
