"""Two long texts aligned without holding every unit pair (``dedup.reuse.unit_rows.LazyCosines``)."""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse

import dedup.reuse.align as align_module
import dedup.reuse.passages as passages_module
import dedup.reuse.trim as trim_module
import dedup.reuse.unit_rows as unit_rows_module
from dedup.reuse.align import AlignSettings, align_texts
from dedup.reuse.passages import Passage
from dedup.reuse.unit_rows import LazyCosines, pair_dots
from dedup.reuse.units import units_of
from tests.planted import _document, _vocabulary
from tests.test_reuse import PASSAGE, REWORDED, _join

SETTINGS = [AlignSettings(), AlignSettings(neighbour_cosine=0.25, seed_cosine=0.3),
            AlignSettings(digest_cosine=0.35, digest_lift=0.12, min_chars=0)]


def _rows(seed: int, n: int, width: int = 300) -> sparse.csr_matrix:
    rng = np.random.default_rng(seed)
    rows = sparse.random(n, width, density=0.03, random_state=rng, dtype=np.float32, format="csr")
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ rows)


def test_lazy_cosines_are_the_whole_product_cell_for_cell(monkeypatch):
    monkeypatch.setattr(unit_rows_module, "_BLOCK_CELLS", 500)  # many blocks of rows
    a, b = _rows(1, 120), _rows(2, 90)
    whole = (a @ b.T).toarray()
    lazy = LazyCosines(a, b)
    assert lazy[7, 3] == whole[7, 3]
    assert np.array_equal(lazy[[4, 9, 30]], whole[[4, 9, 30]])
    assert np.array_equal(lazy[:, [2, 5]], whole[:, [2, 5]])
    assert np.array_equal(lazy[10:40, 6], whole[10:40, 6]) and np.array_equal(lazy[5, 20:60], whole[5, 20:60])
    for threshold in (0.5, 0.2, 0.3, 0.05):  # above, then below, what was found already
        rows, columns, values = lazy.at_least(threshold)
        order = np.lexsort((columns, rows))
        expected = np.argwhere(whole >= threshold)
        assert np.array_equal(np.column_stack((rows, columns))[order], expected)
        assert np.array_equal(values[order], whole[whole >= threshold])
    pairs = np.array([0, 3, 119]), np.array([89, 0, 45])
    assert np.array_equal(pair_dots(a, b, *pairs), whole[pairs].astype(np.float32))
    rng = np.random.default_rng(3)  # cells read together, many blocks of rows: each the cell asked alone
    rows, columns = rng.integers(0, 120, 400), rng.integers(0, 90, 400)
    assert np.array_equal(lazy.cells(rows, columns), whole[rows, columns])
    assert np.array_equal(lazy.cells(rows[:5], columns[:5]), [lazy[i, j] for i, j in zip(rows[:5], columns[:5])])
    assert lazy.cells(np.zeros(0, int), np.zeros(0, int)).shape == (0,)


def _long_text(seed: int, paragraphs: int, planted: list[str], at: int) -> str:
    rng = random.Random(seed)
    body = _document(rng, _vocabulary(rng, 3000), paragraphs)
    return _join(body[:at] + planted + body[at:])


@pytest.mark.parametrize("settings", SETTINGS)
def test_long_texts_give_the_passages_the_whole_arrays_gave(monkeypatch, settings):
    a = _long_text(1, 40, [" ".join(PASSAGE)], 12)
    b = _long_text(2, 40, [" ".join(REWORDED), " ".join(PASSAGE)], 30)
    monkeypatch.setattr(unit_rows_module, "DENSE_CELLS", 0)  # sparse rows, as long texts have
    monkeypatch.setattr(align_module, "LAZY_CELLS", 1 << 40)
    whole = align_texts(a, b, settings=settings), align_texts(a, settings=settings)
    monkeypatch.setattr(align_module, "LAZY_CELLS", 0)
    monkeypatch.setattr(unit_rows_module, "_BLOCK_CELLS", 3000)
    lazy = align_texts(a, b, settings=settings), align_texts(a, settings=settings)
    assert whole[0], "the planted passages are found"
    assert lazy == whole


_ALIGN_TWO_BOOKS = """
import random, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (BYTES, BYTES))
from dedup.cli.main import main
sys.argv = ["dedup", "align", "a.txt", "b.txt", "-f", "json", "-o", "out.json"]
main()
"""


def test_two_long_texts_align_in_bounded_memory(tmp_path):
    """About 13,000 sentence units each: every unit pair held whole needed about 3.5 GB (170 million cells of
    cosine, shared words and Dice); the run is held under 2 GiB of address space."""
    shared = _long_text(3, 30, [], 0)
    (tmp_path / "a.txt").write_text(_long_text(4, 4500, [shared], 2000), encoding="utf-8")
    (tmp_path / "b.txt").write_text(_long_text(5, 4500, [shared], 700), encoding="utf-8")
    limit = 2 << 30
    if resource.RLIM_INFINITY != resource.getrlimit(resource.RLIMIT_AS)[1] < limit:
        pytest.skip("address space already limited below the test's bound")
    done = subprocess.run([sys.executable, "-c", _ALIGN_TWO_BOOKS.replace("BYTES", str(limit))], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]  # 0: passages found
    a, b = (tmp_path / "a.txt").read_text(encoding="utf-8"), (tmp_path / "b.txt").read_text(encoding="utf-8")
    records = json.loads((tmp_path / "out.json").read_text())["reuse"]
    copies = [r for r in records if r["kind"] == "verbatim"]
    assert copies and all(a[slice(*r["a_span"])] == b[slice(*r["b_span"])] for r in copies)
    assert sum(r["a_span"][1] - r["a_span"][0] for r in copies) >= 0.9 * len(shared)


def test_one_line_repeated_through_both_texts_keeps_a_few_cells_a_unit():
    """Two texts of one line repeated ("word...", 8,000 times each) were aligned on their whole product, held
    dense since their vocabulary is one word: 2.4 GB for two 160 KB texts, 9.5 GB for two of 320 KB. Their
    product is searched lazily now, each unit keeping its ``ROW_PARTNERS`` best cells, the nearest the diagonal
    among equals; the copy is still found whole."""
    from dedup.reuse.align import Alignment
    from dedup.reuse.unit_rows import ROW_PARTNERS
    from dedup.reuse.units import units_of

    text = " ".join(["word..."] * 8000)
    other = text[len(text) // 3:] + " " + text[:len(text) // 3]
    settings = AlignSettings()
    units_a, units_b = units_of(text, settings.min_words), units_of(other, settings.min_words)
    alignment = Alignment(units_a, units_b)
    assert alignment.lazy
    assert len(alignment._seeds(settings.seed_cosine, settings.seed_dice)) <= ROW_PARTNERS * len(units_a)
    [record] = align_texts(text, other)
    assert record.a_span[1] - record.a_span[0] > 0.9 * len(text)
    assert record.b_span[1] - record.b_span[0] > 0.9 * len(other)


def _split_group_by_group(seeds: np.ndarray, gap: int) -> list[np.ndarray]:
    """``passages._split`` as it was written first: one group at a time (the reference for the labelled one)."""
    groups, side, stable = [seeds], 0, 0
    while stable < 2:
        cut = []
        for group in groups:
            group = group[np.argsort(group[:, side], kind="stable")]
            cut += np.split(group, np.flatnonzero(np.diff(group[:, side]) > gap + 1) + 1)
        stable = stable + 1 if len(cut) == len(groups) else 0
        groups, side = cut, 1 - side
    return groups


@pytest.mark.parametrize("seed", range(6))
def test_seeds_split_all_groups_at_once_as_one_group_at_a_time(seed):
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 60 * (seed + 1), size=(40 * (seed + 1), 2))
    for gap in (0, 1, 3, 24):
        expected, found = _split_group_by_group(seeds, gap), passages_module._split(seeds, gap)
        assert len(found) == len(expected)
        assert all(np.array_equal(f, e) for f, e in zip(found, expected))
    assert [g.tolist() for g in passages_module._split(seeds[:1], 3)] == [seeds[:1].tolist()]


@pytest.mark.parametrize("dense", [True, False])
def test_fragment_cosines_of_many_ranges_are_each_range_alone(monkeypatch, dense):
    a, b = _rows(4, 200), _rows(5, 150)
    if dense:
        a, b = a.toarray(), b.toarray()
    rng = np.random.default_rng(6)
    first_a, first_b = rng.integers(0, 200, 300), rng.integers(0, 150, 300)
    ranges_a = np.column_stack((first_a, np.minimum(first_a + rng.integers(0, 30, 300), 199)))
    ranges_b = np.column_stack((first_b, np.minimum(first_b + rng.integers(0, 30, 300), 149)))
    whole_a, whole_b = (a, b) if dense else (a.toarray(), b.toarray())
    expected = []
    for (a0, a1), (b0, b1) in zip(ranges_a, ranges_b):
        left, right = whole_a[a0:a1 + 1].sum(axis=0, dtype=np.float64), whole_b[b0:b1 + 1].sum(axis=0, dtype=np.float64)
        expected.append(left @ right / (np.linalg.norm(left) * np.linalg.norm(right)))
    monkeypatch.setattr(passages_module, "_SUMMED_ROWS", 100)  # many chunks of ranges
    found = passages_module.fragment_cosines(a, ranges_a, b, ranges_b)
    assert np.allclose(found, expected, rtol=0, atol=1e-6)
    alone = [passages_module.fragment_cosine(a, tuple(x), b, tuple(y)) for x, y in zip(ranges_a[:20], ranges_b[:20])]
    assert np.allclose(alone, expected[:20], rtol=0, atol=1e-6)
    empty = a[:0] if dense else sparse.csr_matrix((0, a.shape[1]), dtype=np.float32)
    assert passages_module.fragment_cosines(a, ranges_a[:0], b, ranges_b[:0]).shape == (0,) and empty.shape[0] == 0
    zero = sparse.csr_matrix((3, a.shape[1]), dtype=np.float32)  # rows without words: cosine 0, not NaN
    zero = zero.toarray() if dense else zero
    assert passages_module.fragment_cosines(zero, np.array([[0, 2]]), b, np.array([[0, 3]])).tolist() == [0.0]


def test_cells_some_passage_holds():
    rng = np.random.default_rng(7)
    cells = rng.integers(0, 100, size=(500, 2))
    found = [Passage((a0, a0 + rng.integers(0, 20)), (b0, b0 + rng.integers(0, 20)), np.zeros((0, 2)), 1.0)
             for a0, b0 in rng.integers(0, 100, size=(15, 2))]
    expected = [any(p.a[0] <= i <= p.a[1] and p.b[0] <= j <= p.b[1] for p in found) for i, j in cells.tolist()]
    assert passages_module.held(cells, found).tolist() == expected
    assert passages_module.held(cells, []).tolist() == [False] * 500
    assert passages_module.held(cells[:0], found).shape == (0,)


def test_a_block_is_long_read_off_the_units_in_its_window():
    text = "Short one here. " * 3 + "x" * 1200 + ". Then another short one. And the last."
    units = units_of(text, 1)
    for start, end in [(0, 10), (0, 60), (40, 50), (47, 49), (48, 1300), (1250, 1260), (1260, len(text)), (5, 5)]:
        expected = any(e - s >= 1_000 for s, e in units.spans if s < end and e > start)
        assert trim_module._long_unit(units, (start, end)) == expected, (start, end)
