"""The batched pair features, row dot products, sentence alignment, tree walk and TF-IDF decision equal their
per-pair originals bit for bit (the originals are kept here as the reference)."""

import math
from difflib import SequenceMatcher

import numpy as np
import pytest
from scipy import sparse

from dedup.confirm.csr_rows import row_dots
from dedup.confirm.features import FEATURES, PairFeaturizer, _best_alignment, _entities
from dedup.confirm.reranker import default_reranker
from dedup.confirm.rules import PairScore, TfidfConfirmer
from dedup.confirm.sequences import edit_distance, ngram_counts, ngram_precisions
from dedup.text.segment import segment
from dedup.text.words import light_stem, words

from .conftest import ARTICLE

EDGE = ["", "the of and", "It isn't over, he said on Monday.", "It is over, she said on Friday, 3,000 of them.",
        "Ünïcode Straße 中文 words", "buffalo " * 60, "Buffalo buffalo buffalo."]


def _overlap(a, b):
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared / max(len(a), len(b))


def _agreement(a, b):
    if a and b:
        return 1.0 - len(a & b) / len(a | b), 0.0
    return 0.0, float(bool(a) != bool(b))


def _reference_row(featurizer, x_text, y_text):
    """``PairFeaturizer._pair_row`` as it was, pair by pair."""
    def describe(text):
        every = words(text)
        stems = [light_stem(w) for w in every]
        return {"content": set(featurizer.tokenizer(text)), "words": every, "stems": stems,
                "grams": ngram_counts(every), "stem_grams": ngram_counts(stems),
                "entities": _entities(text, every, featurizer._sentences_of(text))}
    x, y = describe(x_text), describe(y_text)
    cx, cy = x["content"], y["content"]
    union = len(cx | cy)
    wx, wy = x["words"], y["words"]
    run = SequenceMatcher(None, wx, wy, autojunk=False).find_longest_match(0, len(wx), 0, len(wy)).size \
        if wx and wy else 0
    short, long_ = sorted((len(wx), len(wy)))
    only_x, only_y = cx - cy, cy - cx
    px, py = {w[:5] for w in cx}, {w[:5] for w in cy}
    unrelated = max(sum(w[:5] not in py for w in only_x), sum(w[:5] not in px for w in only_y))
    more, fewer = sorted((len(only_x), len(only_y)), reverse=True)
    return [
        len(cx & cy) / union if union else 0.0, len(cx & cy) / min(len(cx), len(cy)) if cx and cy else 0.0,
        *[v for n in range(4) for v in _overlap(x["grams"][n].keys(), y["grams"][n].keys())],
        run / short if short else 0.0,
        *[v for k in range(3) for v in _agreement(x["entities"][k], y["entities"][k])],
        float(x["entities"][3] != y["entities"][3]), short / long_ if long_ else 0.0, math.log1p((short + long_) / 2),
        math.log1p(more), math.log1p(fewer), math.log1p(unrelated),
        (long_ - short) / ((short + long_) / 2) if long_ else 0.0, math.log1p(long_ - short),
        *[v for n in range(4) for v in _overlap(x["stem_grams"][n].keys(), y["stem_grams"][n].keys())],
        edit_distance(x["stems"], y["stems"]) / long_ if long_ else 0.0,
        *ngram_precisions(x["stem_grams"], y["stem_grams"]),
    ]


def _texts():
    paragraphs = segment(ARTICLE.read_text(encoding="utf-8"))
    return [p.text for p in paragraphs], [s.text for p in paragraphs for s in p.sentences]


@pytest.mark.parametrize("way", ["table", "lookups", "merge", "merge in chunks"])
def test_pair_features_equal_the_per_pair_originals(monkeypatch, way):
    import dedup.confirm.pair_rows as pair_rows

    if way != "table":  # the shared items of a document too large for one table: looked up, or merged by scipy
        monkeypatch.setattr(pair_rows, "DENSE_CELLS", 0)
        monkeypatch.setattr(pair_rows, "LOOKUP_LIMIT", 10**9 if way == "lookups" else 0)
        monkeypatch.setattr(pair_rows, "MERGE_ENTRIES", 300 if way == "merge in chunks" else 10**9)
    paragraphs, sentences = _texts()
    texts = paragraphs + sentences[:12] + EDGE
    a = [texts[i] for i in range(len(texts)) for _ in range(3)]
    b = [texts[(i * 7 + k) % len(texts)] for i in range(len(texts)) for k in range(3)]
    featurizer = PairFeaturizer().fit(paragraphs)
    batched = featurizer.transform(a, b)
    skip = {FEATURES.index(n) for n in ("word_cosine", "char_cosine", "sentence_alignment", "sentence_best",
                                        "char_length_gap")}
    kept = [i for i in range(len(FEATURES)) if i not in skip]
    reference = np.array([_reference_row(featurizer, x, y) for x, y in zip(a, b)])
    assert np.array_equal(batched[:, kept], reference)
    words_matrix = featurizer._vectors("words", sorted(set(a) | set(b)))
    rows = {t: i for i, t in enumerate(sorted(set(a) | set(b)))}
    ia, ib = np.array([rows[t] for t in a]), np.array([rows[t] for t in b])
    assert np.array_equal(batched[:, 0], np.asarray(words_matrix[ia].multiply(words_matrix[ib]).sum(axis=1)).ravel())


@pytest.mark.parametrize("limit", [0, 10**9])
def test_row_dots_are_scipys_sums(monkeypatch, limit):
    import dedup.confirm.csr_rows as csr_rows

    monkeypatch.setattr(csr_rows, "LOOKUP_LIMIT", limit)  # scipy's way and the lookups
    rng = np.random.default_rng(0)
    matrix = sparse.random(40, 300, density=0.08, random_state=1, format="csr")
    ia, ib = rng.integers(0, 40, 500), rng.integers(0, 40, 500)
    assert np.array_equal(row_dots(matrix, ia, ib), np.asarray(matrix[ia].multiply(matrix[ib]).sum(axis=1)).ravel())


def test_alignment_of_all_pairs_equals_pair_by_pair():
    rng = np.random.default_rng(0)
    for _ in range(50):  # up to 24 sentences a text: maxima summed both sequentially and pairwise by numpy
        sizes = rng.integers(1, 25, rng.integers(1, 30))
        first = np.concatenate(([0], np.cumsum(sizes)))
        whole = rng.random((first[-1], first[-1])) ** 3
        ia, ib = rng.integers(0, len(sizes), 50), rng.integers(0, len(sizes), 50)
        expected = []
        for i, j in zip(ia, ib):
            block = whole[first[i]:first[i + 1], first[j]:first[j + 1]]
            best = block.max(axis=1 if block.shape[0] <= block.shape[1] else 0)
            expected.append((best.sum() / best.size, best.max()))
        assert np.array_equal(_best_alignment(whole, first, ia, ib), np.array(expected))


def test_tree_walk_equals_the_original():
    trees = default_reranker().trees_
    rng = np.random.default_rng(0)
    paragraphs, sentences = _texts()
    dense = PairFeaturizer().fit(paragraphs).transform(paragraphs[:-1] + sentences[:-1], paragraphs[1:] + sentences[1:])
    X = np.vstack([dense, dense[rng.integers(0, len(dense), 500)] * rng.choice([0.5, 1, 2], (500, dense.shape[1]))])
    X[0, 3] = np.nan
    X32 = X.astype(np.float32)
    rows = np.arange(len(X))[:, None]
    node = np.broadcast_to(trees.roots, (len(X), trees.roots.size)).copy()
    for _ in range(trees.depth):
        inner = trees.left[node] >= 0
        goes_left = X32[rows, np.maximum(trees.feature[node], 0)] <= trees.threshold[node]
        node = np.where(inner, np.where(goes_left, trees.left[node], trees.right[node]), node)
    assert np.array_equal(trees.decision_function(X), trees.init + trees.value[node].sum(axis=1))


def _reference_decide(confirmer, cosine, sims, shared_words):
    best = float(sims.max()) if sims.size else 0.0
    hits = np.argwhere(sims >= confirmer.sentence_cosine_threshold)
    order = np.argsort(-sims[hits[:, 0], hits[:, 1]]) if len(hits) else []
    evidence = tuple((int(hits[k, 0]), int(hits[k, 1]), float(sims[hits[k, 0], hits[k, 1]])) for k in order)
    best_pair = None
    if sims.size:
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        best_pair = (int(i), int(j), best)
    if not evidence and cosine >= confirmer.paragraph_cosine_threshold and best_pair:
        evidence = (best_pair,)
    reasons = tuple(name for name, passed in (("paragraph_cosine", cosine >= confirmer.paragraph_cosine_threshold),
                                              ("sentence_cosine", best >= confirmer.sentence_cosine_threshold),
                                              ("shared_run", confirmer.copied(shared_words))) if passed)
    return PairScore(cosine=cosine, sentence_pairs=evidence, score=max(cosine, best), confirmed=bool(reasons),
                     best_pair=best_pair, confirmed_by=reasons)


def test_decide_equals_the_original():
    confirmer = TfidfConfirmer(tokenizer=str.split)
    rng = np.random.default_rng(0)
    for k in range(3000):  # up to 25 cells read in Python, and up to 900 by numpy (``rules._PYTHON_CELLS``)
        most = 6 if k < 2000 else 31
        shape = (int(rng.integers(0, most)), int(rng.integers(0, most)))
        sims = rng.random(shape) if k % 3 == 0 else rng.choice([0.0, 0.3, 0.5, 1.0, 0.29999, 0.7], size=shape)
        cosine, shared = float(rng.choice([0.0, 0.45, 0.6, rng.random()])), int(rng.integers(0, 7))
        assert confirmer.decide(cosine, sims, shared) == _reference_decide(confirmer, cosine, sims, shared)


def test_name_pattern_finds_what_the_lookbehind_first_pattern_found():
    import random
    import re

    from dedup.confirm.features import _NAME

    original = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]*")
    rng = random.Random(0)
    texts = [*EDGE, ARTICLE.read_text()] + ["".join(rng.choice("aZ .!?\n\t'-_9éÉA") for _ in range(rng.randint(0, 30)))
                                for _ in range(20_000)]
    for text in texts:
        assert [(m.span(), m.group()) for m in _NAME.finditer(text)] == \
            [(m.span(), m.group()) for m in original.finditer(text)]


def test_sentences_read_off_segment_are_what_sentences_of_finds():
    from pathlib import Path

    from dedup.article.rerank_step import _segmented
    from dedup.confirm.features import sentences_of

    texts = [ARTICLE.read_text(), *EDGE, "One line. Two\nlines here. And U.S. troops. No. 5 is Mr. Smith's.",
             *(p.read_text() for p in sorted(Path(ARTICLE).parent.glob("dev/*.txt")))]
    known = 0
    for text in texts:
        found = _segmented(segment(text))
        known += len(found)
        assert all(sentences_of(t) == s for t, s in found.items())
    assert known > 100


def test_sentences_of_a_one_sentence_line_are_what_splitting_finds():
    import random

    from dedup.confirm.features import sentences_of
    from dedup.text.segment import normalize, split_sentences

    rng = random.Random(0)
    alphabet = [*"ab A.!?\"')(\n 。3", "Mr.", "U.S.", " the", "No.", " 5", "...", "\u2019", "\u00a0"]
    texts = [s.text for p in segment(ARTICLE.read_text()) for s in p.sentences] + [*EDGE] + \
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15))) for _ in range(20_000)]
    for text in texts:
        split = [s.text for line in normalize(text).split("\n") if line.strip() for s in split_sentences(line)]
        assert sentences_of(text) == (split or [text])


def test_alignment_by_text_equals_one_product_a_pair():
    """Past one product for all sentences, each text's product with its partners' sentences gives each pair the
    floats its own product gave (``features._alignment_by_text``)."""
    from dedup.confirm.features import _alignment_by_text

    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 12, 40)
    first = np.concatenate(([0], np.cumsum(sizes))).tolist()
    vectors = sparse.random(first[-1], 200, density=0.05, random_state=4, format="csr")
    ia, ib = rng.integers(0, 40, 300), rng.integers(0, 40, 300)
    expected = []
    for i, j in zip(ia.tolist(), ib.tolist()):
        block = (vectors[first[i]:first[i + 1]] @ vectors[first[j]:first[j + 1]].T).toarray()
        best = block.max(axis=1 if block.shape[0] <= block.shape[1] else 0)
        expected.append((best.sum() / best.size, best.max()))
    assert np.array_equal(_alignment_by_text(vectors, first, ia, ib), np.array(expected))


@pytest.mark.parametrize("texts", [40, 70_000])
def test_stacked_blocks_are_sorted_by_text_then_column(texts):
    """``_stack``'s stable sort by text (a radix sort in 16 bits) gives what one argsort of the codes gave, with
    a set's items in any order and past 65,536 texts."""
    from dedup.confirm.pair_rows import _stack

    rng = np.random.default_rng(3)
    blocks = []
    for kind, width, size in ((0, 50, 300), (1, 7, 40), (2, 400, 900)):
        code = np.unique(rng.integers(0, texts, size) * width + rng.integers(0, width, size))
        if kind == 1:
            code = rng.permutation(code)  # a set's items: not sorted
        blocks.append((kind, code // width, code % width, rng.integers(1, 5, len(code))))
    found, column_kind = _stack(texts, blocks)
    offset, codes, values = 0, [], []
    for _, row, item, counted in blocks:
        width = int(item.max()) + 1
        codes.append(row * 10**6 + item + offset)
        values.append(counted)
        offset += width
    code, value = np.concatenate(codes), np.concatenate(values)
    order = np.argsort(code)
    assert np.array_equal(found.indices, code[order] % 10**6)
    assert np.array_equal(found.data, value[order])
    assert np.array_equal(found.indptr, np.concatenate(([0], np.cumsum(np.bincount(code // 10**6, minlength=texts)))))
    assert len(column_kind) == offset


@pytest.mark.parametrize("width", [1, 30, 5_000])
def test_numbered_codes_by_table_are_those_by_sorting(monkeypatch, width):
    import dedup.confirm.design as design

    code = np.random.default_rng(width).integers(0, width, 3_000)
    by_table = design._numbered_codes(code, width)
    monkeypatch.setattr(design, "_CODE_TABLE", 0)
    by_sorting = design._numbered_codes(code, width)
    for found, expected in zip(by_table, by_sorting):
        assert np.array_equal(found, expected)
    assert np.array_equal(by_table[0], np.unique(code)) and np.array_equal(by_table[0][by_table[1]], code)
