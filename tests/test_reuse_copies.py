"""A copy is found whole in either order, though a passage beside it seeds one of its sentences by likeness
(``passages.copies_first``)."""

import numpy as np
import pytest

from dedup import align_texts
from dedup.reuse.align import AlignSettings
from dedup.reuse.passages import Passage, copies_first

# A paragraph about a font and, after it, the list of ranges the font covers: one unit in the source (no sentence
# ends), one line per range in the other text. The paragraph's last sentence names the ranges too, so it seeds
# the list's unit by likeness (no run of eight words is shared).
FONT = ("Gulim is a sans-serif typeface designed for the Korean script by a foundry in Seoul. "
        "It was expanded to support the glyphs of the unified ideographs and several symbol ranges. "
        "The font keeps medium weight and a slightly obtuse cove in its strokes. "
        "Its proportion and contrast are listed as any in the font metrics. "
        "Later versions changed the metrics slightly and fixed many glyph outlines. "
        "Ranges it supports include Latin characters, Greek characters, Cyrillic characters and Hangul Jamo "
        "characters too.")
RANGES = ("It also covers the following ranges in Maintype: Basic Latin (128 characters), Latin-1 Supplement (96 "
          "characters), Latin Extended-A (128 characters), Latin Extended-B (7 characters), Spacing Modifier Letters "
          "(10 characters), Greek and Coptic (73 characters), Cyrillic (94 characters), Hangul Jamo (250 characters), "
          "Latin Extended Additional (246 characters), General Punctuation (53 characters), Letterlike Symbols "
          "(35 characters), Number Forms (30 characters), Arrows (104 characters), Mathematical Operators "
          "(100 characters), Enclosed Alphanumerics (160 characters), Box Drawing (128 characters)")
FERRIES = " ".join(f"The harbour authority reported {n} ferries delayed by fog on the northern route during week {n}."
                   for n in range(12, 30))
SOURCE = FONT + "\n\n" + RANGES + "\n"
RANGE_LINES = RANGES.replace("), ", "),\n")
REUSING = ("Intro about languages spoken on earth and their writing systems today.\n\n" + FONT + "\n\n" + FERRIES
           + "\n\n" + RANGE_LINES + "\n\n" + FERRIES.replace("harbour", "airport") + "\n")


def _copies() -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """(span in SOURCE, span in REUSING) of the two copies."""
    font, ranges = REUSING.index(FONT), REUSING.index(RANGE_LINES)
    return {((0, len(FONT)), (font, font + len(FONT))),
            ((len(FONT) + 2, len(FONT) + 2 + len(RANGES)), (ranges, ranges + len(RANGE_LINES)))}


def test_both_copies_are_found_whole_whichever_text_comes_first():
    source_first = {(tuple(r.a_span), tuple(r.b_span)) for r in align_texts(SOURCE, REUSING)}
    reusing_first = {(tuple(r.b_span), tuple(r.a_span)) for r in align_texts(REUSING, SOURCE)}
    assert source_first == reusing_first == _copies()
    assert {r.kind for r in align_texts(SOURCE, REUSING)} == {"verbatim"}


def _passage(seeds: list[tuple[int, int]], copied: bool = False) -> Passage:
    cells = np.array(seeds, dtype=np.int64)
    return Passage((int(cells[:, 0].min()), int(cells[:, 0].max())), (int(cells[:, 1].min()), int(cells[:, 1].max())),
                   cells, 0.9, copied)


def _weights(units_a: int, units_b: int):
    """Unit rows where unit i of each text is word i: a range's cosine is 1 where the ranges are as long."""
    eye = np.eye(max(units_a, units_b))
    return eye[:units_a], eye[:units_b]


def test_a_seed_that_reaches_over_another_passages_copy_is_dropped():
    # Passage 0 copies units 0-3 of a; its seed (9, 4) reaches over unit 6, which passage 1 holds by a copy.
    first = _passage([(0, 0), (1, 1), (2, 2), (3, 3), (9, 4)])
    second = _passage([(6, 20), (7, 21)])
    copies = np.array([(0, 0), (1, 1), (2, 2), (3, 3), (6, 20), (7, 21)])
    kept = copies_first([first, second], copies, _weights(10, 22), 0.0)
    assert [(p.a, p.b) for p in kept] == [((0, 3), (0, 3)), ((6, 7), (20, 21))]
    assert kept[1] is second  # nothing stray: the very passage


def test_seeds_of_likeness_stay_where_no_copy_is_reached():
    # Passage 0's likeness seed (5, 4) reaches units 4-5 of a and 4 of b: no other passage holds them by a copy.
    first = _passage([(0, 0), (1, 1), (5, 4)])
    second = _passage([(8, 20), (9, 21)])
    copies = np.array([(0, 0), (1, 1), (8, 20), (9, 21)])
    assert copies_first([first, second], copies, _weights(10, 22), 0.0) == [first, second]
    # A passage without copies keeps a seed at a unit no copy holds, and loses one at a unit a copy holds.
    alike = _passage([(3, 10), (8, 11)])
    kept = copies_first([alike, second], copies, _weights(10, 22), 0.0)
    assert [(p.a, p.b) for p in kept] == [((3, 3), (10, 10)), ((8, 9), (20, 21))]


@pytest.mark.parametrize("seed", range(20))
def test_copied_seeds_are_never_dropped(seed):
    rng = np.random.default_rng(seed)
    copies = np.unique(rng.integers(0, 30, size=(25, 2)), axis=0)
    passages = []
    for _ in range(4):
        own = copies[rng.choice(len(copies), size=3, replace=False)]
        alike = rng.integers(0, 30, size=(3, 2))
        passages.append(_passage([tuple(s) for s in np.vstack([own, alike]).tolist()]))
    kept = copies_first(passages, copies, _weights(30, 30), 0.0)
    copied = {tuple(c) for c in copies.tolist()}
    for before in passages:
        mine = [p for p in kept if set(map(tuple, p.seeds.tolist())) <= set(map(tuple, before.seeds.tolist()))]
        assert mine, "a passage holding copied seeds is never dropped"
        assert {tuple(s) for s in before.seeds.tolist() if tuple(s) in copied} <= {
            tuple(s) for p in mine for s in p.seeds.tolist()}
    assert copies_first(passages, copies[:0], _weights(30, 30), 0.0) == passages


@pytest.mark.parametrize("ids", [(AlignSettings(min_chars=10**6), "b"), ("a", 2), (None, "b")])
def test_align_texts_refuses_ids_that_are_not_strings(ids):
    # Settings passed by position landed in a_id, unread: the search ran with the defaults, and the records'
    # ids were no strings (their JSON failed the report's schema).
    with pytest.raises(TypeError, match="a_id|b_id"):
        align_texts(SOURCE, REUSING, *ids)
