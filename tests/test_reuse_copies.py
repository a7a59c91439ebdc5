"""A copy is found whole in either order, though a passage beside it seeds one of its sentences by likeness
(``reuse.copies_first``)."""

from types import SimpleNamespace

import numpy as np
import pytest

from dedup import align_texts
from dedup.records import Reuse
from dedup.reuse.align import AlignSettings
from dedup.reuse.copies_first import beside_copies, copies_first
from dedup.reuse.passage_record import without_restated_twice
from dedup.reuse.passages import Passage

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


def test_a_passage_is_cut_where_it_skips_over_another_passages_copy():
    # Passage 0 copies units 0-3 of a; its likeness seed (9, 4) skips over units 6-7, which passage 1 holds by a
    # copy: cut off, and alone not alike, it is dropped.
    first = _passage([(0, 0), (1, 1), (2, 2), (3, 3), (9, 4)])
    second = _passage([(6, 20), (7, 21)])
    copies = np.array([(0, 0), (1, 1), (2, 2), (3, 3), (6, 20), (7, 21)])
    kept = copies_first([first, second], copies, _weights(10, 22), 0.5, 3)
    assert [(p.a, p.b) for p in kept] == [((0, 3), (0, 3)), ((6, 7), (20, 21))]
    assert kept[1] is second  # nothing to settle: the very passage
    # A reworded continuation past the copy is a passage of its own, not lost.
    reworded = _passage([(0, 0), (1, 1), (8, 8), (9, 9)])
    kept = copies_first([reworded, _passage([(5, 20), (6, 21)])], np.array([(0, 0), (1, 1), (5, 20), (6, 21)]),
                        _weights(10, 22), 0.5, 3)
    assert [(p.a, p.b) for p in kept] == [((0, 1), (0, 1)), ((8, 9), (8, 9)), ((5, 6), (20, 21))]


def test_a_likeness_seed_gives_up_a_unit_of_the_first_text_another_passage_copies():
    first = _passage([(0, 0), (1, 1), (2, 2), (6, 3)])  # (6, 3): at unit 6 of a, which passage 1 copies
    second = _passage([(6, 20), (7, 21)])
    copies = np.array([(0, 0), (1, 1), (2, 2), (6, 20), (7, 21)])
    kept = copies_first([first, second], copies, _weights(10, 22), 0.5, 3)
    assert [(p.a, p.b) for p in kept] == [((0, 2), (0, 2)), ((6, 7), (20, 21))]


def test_a_passage_reused_twice_in_the_second_text_keeps_both():
    # Units 20-21 of b are copied at 6-7 of a and reworded at 10-11: one source passage reused twice.
    copy = _passage([(6, 20), (7, 21)])
    reworded = _passage([(10, 20), (11, 21)])
    copies = np.array([(6, 20), (7, 21)])
    assert copies_first([copy, reworded], copies, _weights(12, 22), 0.0, 3) == [copy, reworded]


def test_a_copy_too_short_to_be_kept_changes_no_other_passage():
    first = _passage([(0, 0), (1, 1), (2, 2), (6, 3)])
    title = _passage([(6, 20)])
    copies = np.array([(0, 0), (1, 1), (2, 2), (6, 20)])
    assert copies_first([first, title], copies, _weights(10, 22), 0.5, 3, lambda p: p is not title) == [first, title]


@pytest.mark.parametrize("seed", range(20))
def test_copied_seeds_are_never_dropped(seed):
    rng = np.random.default_rng(seed)
    copies = np.unique(rng.integers(0, 30, size=(25, 2)), axis=0)
    passages = []
    for _ in range(4):
        own = copies[rng.choice(len(copies), size=3, replace=False)]
        alike = rng.integers(0, 30, size=(3, 2))
        passages.append(_passage([tuple(s) for s in np.vstack([own, alike]).tolist()]))
    kept = copies_first(passages, copies, _weights(30, 30), 0.0, 3)
    copied = {tuple(c) for c in copies.tolist()}
    for before in passages:
        mine = [p for p in kept if set(map(tuple, p.seeds.tolist())) <= set(map(tuple, before.seeds.tolist()))]
        assert mine, "a passage holding copied seeds is never dropped"
        assert {tuple(s) for s in before.seeds.tolist() if tuple(s) in copied} <= {
            tuple(s) for p in mine for s in p.seeds.tolist()}
    assert copies_first(passages, copies[:0], _weights(30, 30), 0.0, 3) == passages


@pytest.mark.parametrize("ids", [(AlignSettings(min_chars=10**6), "b"), ("a", 2), (None, "b")])
def test_align_texts_refuses_ids_that_are_not_strings(ids):
    # Settings passed by position landed in a_id, unread: the search ran with the defaults, and the records'
    # ids were no strings (their JSON failed the report's schema).
    with pytest.raises(TypeError, match="a_id|b_id"):
        align_texts(SOURCE, REUSING, *ids)


# A paragraph of the source (five sentences), and a text that reuses it twice: word for word, and reworded.
DAM = ["The river authority closed the northern dam after heavy rains flooded three villages in the valley.",
       "Engineers inspected the spillway gates and found cracks in two of the concrete supports.",
       "Residents of the lowland farms were moved to a school gymnasium on the hill above the town.",
       "The regional governor promised emergency funds for repairs and for families who lost their homes.",
       "Meteorologists expect more storms over the coming week, with rivers rising further in the south."]
DAM_REWORDED = (
    "After heavy rains flooded three valley villages, the river authority shut the northern dam. "
    "The spillway gates were inspected by engineers, who found two concrete supports cracked. "
    "Lowland farm residents were moved to the gymnasium of a school on the hill above town. "
    "Emergency funds for repairs and for families who lost homes were promised by the regional governor. "
    "More storms are expected by meteorologists in the coming week, with southern rivers rising further.")
FOOTBALL = " ".join(f"Local football club number {n} won its match against the visiting side by {n} goals on Sunday."
                    for n in range(3, 9))


def test_a_source_passage_reused_twice_keeps_its_reworded_reuse():
    source = "A report from the valley. " + " ".join(DAM) + " More news later today about the markets and prices."
    reusing = ("Opening remarks on the weather this week. " + " ".join(DAM) + " " + FOOTBALL + " " + DAM_REWORDED
               + " The end.")
    reworded = reusing.index(DAM_REWORDED)
    found = [(tuple(r.a_span), r.kind) for r in align_texts(reusing, source)]
    assert found[0] == ((reusing.index(DAM[0]), reusing.index(DAM[0]) + len(" ".join(DAM))), "verbatim")
    assert len(found) == 2 and found[1][1] == "edited"
    assert found[1][0][0] == reworded and found[1][0][1] >= reworded + len(DAM_REWORDED) - 1


# Four sentences a text copies word for word and again, further down, with every fifth word dropped: there the
# first sentence's full stop goes, so its first two sentences run into one.
LAWSUIT = ["A lawsuit has been filed in an attempt to block the removal of the Ten Commandments monument from the "
           "building.", "New York City will get an estimated $182.5 million in tax revenue from the bonuses this "
           "year, compared with last year's $125.4 million.", "With the exception of dancing, physical activity did "
           "not decrease the risk.", "But they are split over whether the Fed will acknowledge risks are tilted "
           "toward weakness, or say they are balanced."]
LAWSUIT_SOURCE = ("He has established a group to revise the constitution, possibly to protect private property. The "
                  "migrants were first spotted by a Coast Guard jet around 2 p.m. Tuesday.\n\n" + " ".join(LAWSUIT)
                  + " Car volume fell 8 per cent, while light truck sales rose 2.7 per cent.\n\nIn September, a "
                  "27-year-old Singapore researcher contracted SARS while working in a laboratory.\n")
LAWSUIT_REUSING = ("The United States accuses Saddam loyalists of attacks on oilfields and pipelines crucial to Iraq's "
                   "economic recovery.\n\n" + " ".join(LAWSUIT) + " Emeryville-based Ask Jeeves agreed to sell a "
                   "business software division to a rival, Kanisa, for $4.25 million.\n\nBolivia's army fought to "
                   "stop columns of protesters from streaming into the capital on Wednesday. In Canada, Tim Hortons' "
                   "same-store sales were up as much as 6.7 per cent.\n\n"
                   + " ".join(w for i, w in enumerate(" ".join(LAWSUIT).split(), 1) if i % 5)
                   + "\n\nLee Peterson testified that he reached his son on his cell phone.\n")


def test_a_passage_copied_and_again_with_words_dropped_keeps_the_whole_edited_copy():
    edited = LAWSUIT_REUSING.index("A lawsuit has been in")
    end = LAWSUIT_REUSING.index("\n\nLee Peterson")
    copy = (LAWSUIT_SOURCE.index(LAWSUIT[0]), LAWSUIT_SOURCE.index(LAWSUIT[-1]) + len(LAWSUIT[-1]))
    found = sorted((tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(LAWSUIT_REUSING, LAWSUIT_SOURCE))
    assert found[0][2] == "verbatim" and found[0][1] == copy
    assert found[1:] == [((edited, end), copy, "edited")]  # two sentences run into one: the first not lost


def test_the_source_of_a_passage_copied_twice_aligned_first_is_not_stretched_over_both_copies():
    # Aligned first, the source's passage has two partners in the other text: the verbatim copy is its record.
    # It was one edited record whose span in the other text ran from the copy over the text between to the
    # edited copy.
    source = (LAWSUIT_SOURCE.index(LAWSUIT[0]), LAWSUIT_SOURCE.index(LAWSUIT[-1]) + len(LAWSUIT[-1]))
    copy = (LAWSUIT_REUSING.index(LAWSUIT[0]), LAWSUIT_REUSING.index(LAWSUIT[-1]) + len(LAWSUIT[-1]))
    found = [(r.kind, tuple(r.a_span), tuple(r.b_span)) for r in align_texts(LAWSUIT_SOURCE, LAWSUIT_REUSING)]
    assert found == [("verbatim", source, copy)]


def _beside(copies: list[tuple[int, int]], others: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The seeds ``beside_copies`` keeps of ``copies`` (whole sentences copied) and ``others`` (seeds alike in
    part)."""
    cosine = np.full((200, 40), 0.5)
    cosine[tuple(np.array(copies).T)] = 1.0
    seeds = np.array(copies + others)
    return set(map(tuple, beside_copies(seeds, np.array(copies), cosine).tolist()))


def test_an_edited_second_copy_running_two_copied_sentences_into_one_is_kept_whole():
    copied = [(6, 3), (7, 4), (8, 5), (9, 6)]
    edited = [(6, 12), (7, 12), (8, 13), (9, 14)]  # sentences 6 and 7 run into one unit of the second text
    assert _beside(copied, edited) == set(copied + edited)


def test_a_restatement_over_sentences_never_copied_is_not_joined_to_a_run():
    # The first text's sentences 73-75 all restate the second text's sentence 17, which its sentence 181 copies;
    # 71-73 are in step with 15-17. Only the seed in step stays (the shape of a PAN 2013 pair).
    copied = [(181, 17)]
    in_step = [(71, 15), (72, 16), (73, 17)]
    assert _beside(copied, in_step + [(74, 17), (75, 17)]) == set(copied + in_step)


@pytest.mark.parametrize("order", [(1, 0, 2, 3, 4), (4, 3, 2, 1, 0), (2, 1, 0), (1, 0, 3, 2)])
def test_a_reworded_second_reuse_in_another_sentence_order_is_kept_whole(order):
    # Found by a reviewer on 2026-12-07: the run rule of ``beside_copies`` read only forward steps, so a reworded
    # second reuse with swapped sentences lost them (three sentences reversed: the whole record).
    sentences = DAM_REWORDED.split(". ")
    reworded = ". ".join(sentences[k].rstrip(".") for k in order) + "."
    source = "A report from the valley. " + " ".join(DAM) + " More news later today about the markets and prices."
    reusing = "Opening remarks on the weather this week. " + " ".join(DAM) + " " + FOOTBALL + " " + reworded + " The end."
    start = reusing.index(reworded)
    found = [(r.kind, tuple(r.a_span)) for r in align_texts(reusing, source)]
    assert found[0][0] == "verbatim" and len(found) == 2
    assert found[1][0] == "edited" and found[1][1][0] == start and found[1][1][1] >= start + len(reworded) - 1


# A passage holding one sentence twice (its second and seventh), copied once with a sentence put in before the
# seventh (found by a reviewer on 2026-12-07).
HARBOUR = ["The council voted to rebuild the old harbour wall before the winter storms arrive on the coast.",
           "Fishermen said the wall had protected their boats for more than a century without major repairs.",
           "Engineers from the capital estimated the work would cost nearly four million euros in total.",
           "The mayor said the town could not wait for national funding and would borrow the money itself.",
           "Opposition members argued that tourism revenue should pay for the repairs instead of new loans.",
           "Construction crews are expected to begin work in early September if the weather stays calm.",
           "Fishermen said the wall had protected their boats for more than a century without major repairs.",
           "A public meeting on the plans will be held in the town hall next Thursday evening at seven."]


def test_a_copy_of_a_passage_holding_one_sentence_twice_is_one_whole_record():
    committees = " ".join(f"Story {n} of the week: the {w} committee met on day {n} and agreed to review {w} budgets "
                          "again." for n, w in zip(range(1, 9), "road school park water health police library "
                                                                  "transport".split()))
    festivals = " ".join(f"Item {n}: visitors to the {w} festival numbered {n * 1000} this year, the organisers "
                         "reported." for n, w in zip(range(1, 9), "jazz film food book wine art dance theatre".split()))
    bakery = "Meanwhile a local bakery won a national prize for its rye bread, the third award in five years."
    a = (committees + "\n\nNews from the coast this week.\n\n" + " ".join(HARBOUR) + "\n\nOther stories follow "
         "tomorrow as usual, with the weather, the markets, the sport and the letters to the editor from our readers.")
    b = "Our digest.\n\n" + " ".join(HARBOUR[:6] + [bakery] + HARBOUR[6:]) + "\n\nThat is all.\n\n" + festivals
    copy_a = (a.index(HARBOUR[0]), a.index(HARBOUR[7]) + len(HARBOUR[7]))
    copy_b = (b.index(HARBOUR[0]), b.index(HARBOUR[7]) + len(HARBOUR[7]))
    found = [(tuple(r.a_span), tuple(r.b_span)) for r in align_texts(a, b)]
    assert found == [(copy_a, copy_b)]  # its last two sentences were lost


def _swapped(sentence: str) -> str:
    """The sentence's words with every fourth pair swapped: no run of eight words of it is left."""
    words = sentence.split()
    for i in range(1, len(words) - 2, 4):
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def test_a_reworded_continuation_past_a_copied_quote_is_found_in_either_order():
    museum = ("The museum of modern art announced a new exhibition of sculpture from the northern islands opening in "
              "May. Tickets will be sold online only and children under twelve may enter without charge at weekends.")
    bakery = " ".join(f"The bakery on street {n} sells bread rolls with poppy seeds for {n} cents each morning."
                      for n in range(3, 9))
    source = " ".join(DAM) + "\n\n" + bakery + "\n\n" + museum + "\n"
    continuation = " ".join(_swapped(s) for s in DAM[3:])
    reusing = "Opening remarks.\n\n" + " ".join(DAM[:3]) + "\n\n" + museum + "\n\n" + continuation + "\n"
    tail = reusing.index(continuation)
    reusing_first = sorted(tuple(r.a_span) for r in align_texts(reusing, source))
    source_first = sorted(tuple(r.b_span) for r in align_texts(source, reusing))
    assert reusing_first == source_first
    assert (tail, len(reusing) - 1) in reusing_first  # the reworded continuation, a record of its own


# The same flood a week later: the copied paragraph's topic and words, none of its claims.
FOLLOW_UP = ("A week after the river authority closed the northern dam, the valley villages began to count the cost. "
             "Engineers from the capital returned to the spillway and said the concrete supports would take a year to "
             "rebuild. Residents back on their lowland farms found fields under mud and the school gymnasium still full "
             "of beds. The governor's emergency funds, families complained, had not yet reached anyone who lost a home.")


def test_text_beside_a_copy_on_its_topic_is_not_a_second_reuse_in_either_order():
    source = "A report from the valley. " + " ".join(DAM) + " More news later today about the markets and prices."
    reusing = ("Opening remarks on the weather this week. " + " ".join(DAM) + " " + FOOTBALL + " " + FOLLOW_UP
               + " The end.")
    copy = (reusing.index(DAM[0]), reusing.index(DAM[0]) + len(" ".join(DAM)))
    copied = (source.index(DAM[0]), source.index(DAM[0]) + len(" ".join(DAM)))
    assert [(tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(reusing, source)] == \
        [(copy, copied, "verbatim")]
    assert [(tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(source, reusing)] == \
        [(copied, copy, "verbatim")]


def _reuse(kind: str, score: float) -> Reuse:
    return Reuse(a="a", b="b", a_span=(0, 1), b_span=(0, 1), score=score, jaccard=0.3, cosine=score, kind=kind,
                 sentences=())


@pytest.mark.parametrize("kind, score, units, dropped", [
    ("restated", 0.5, (2, 4), True),  # its sentences all aligned by a stronger copy's passage
    ("restated", 0.5, (3, 6), True),  # half of them (in characters)
    ("restated", 0.5, (5, 9), False),  # under half (units 6 and 7 of 5-9)
    ("restated", 0.5, (5, 5), False),  # a sentence the copy only spans: two copies a gap apart (units 2-4, 6-7)
    ("restated", 0.95, (2, 4), False),  # stronger than the copy
    ("edited", 0.5, (2, 4), False),  # an edited reuse of the same passage: a passage reused twice
])
def test_a_restated_record_of_sentences_a_stronger_copy_aligns_is_dropped(kind, score, units, dropped):
    second = SimpleNamespace(spans=[(10 * u, 10 * u + 9) for u in range(10)])  # ten units of 9 characters
    copy = Passage((0, 5), (2, 7), np.array([[0, 2], [1, 3], [2, 4], [4, 6], [5, 7]]), 0.9)
    other = Passage((8, 9), units, np.array([[8, units[0]], [9, units[1]]]), 0.5)
    records = [_reuse("verbatim", 0.9), _reuse(kind, score)]
    assert without_restated_twice(records, [copy, other], second) == (records[:1] if dropped else records)


def test_sentences_between_two_copies_restated_elsewhere_are_still_found():
    fair = ("The town's mayor said the council would meet on Thursday to decide whether the annual harvest fair should "
            "go ahead this autumn. Traders at the market square have already booked more than two hundred stalls for it.")
    restated = ("On Thursday councillors will gather to choose whether the harvest fair takes place this autumn, the "
                "town's mayor said. Traders have reserved over two hundred stalls at the market for it.")
    bakery = " ".join(f"The bakery on street {n} sells bread rolls with poppy seeds for {n} cents each morning."
                      for n in range(3, 9))
    source = ("A report from the valley, filed this morning by our correspondent in the hills. " + " ".join(DAM[:2])
              + " " + fair + " " + " ".join(DAM[2:]) + " More news later about the markets and prices.")
    reusing = "Opening remarks on the weather this week. " + " ".join(DAM) + " " + bakery + " " + restated + " The end."
    found = [(tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(reusing, source)]
    # The two copies are one record over the sentences between them in the source (its span, not its alignment).
    assert found[0][2] == "edited" and found[0][1][0] < source.index(fair) < found[0][1][1]
    assert found[1][2] == "restated" and found[1][1] == (source.index(fair), source.index(fair) + len(fair))
    assert found[1][0][0] == reusing.index(restated) and len(found) == 2


def test_a_passage_of_reworded_and_copied_sentences_keeps_its_reworded_part_in_either_order():
    source = ("A report from the valley, filed this morning by our correspondent in the hills. " + " ".join(DAM)
              + " More news later today about the markets and prices.")
    mixed = " ".join([_swapped(DAM[0]), _swapped(DAM[1])] + DAM[2:])  # two sentences reworded, three copied
    reusing = "Opening remarks on the weather this week. " + mixed + " " + FOOTBALL
    spans = ((reusing.index(mixed), reusing.index(mixed) + len(mixed)),
             (source.index(DAM[0]), source.index(DAM[-1]) + len(DAM[-1])))
    assert [(tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(reusing, source)] == \
        [(spans[0], spans[1], "edited")]
    assert [(tuple(r.a_span), tuple(r.b_span), r.kind) for r in align_texts(source, reusing)] == \
        [(spans[1], spans[0], "edited")]


def test_a_short_phrase_far_from_a_copys_shared_runs_does_not_take_its_edge():
    from dedup.reuse.trim import _SEED_N, _STRAY_GAP, _without_stray_ends

    copy = np.arange(100, 160)  # 60 n-grams in a row: a copied passage
    phrase = np.arange(10, 13)  # a three-n-gram phrase (six words) in a headline far before it
    assert _without_stray_ends(np.concatenate((phrase, copy))).tolist() == copy.tolist()
    assert _without_stray_ends(np.concatenate((copy, phrase + 300))).tolist() == copy.tolist()
    near = np.arange(100 - _STRAY_GAP + 1, 100 - _STRAY_GAP + 4)  # close enough to be part of the copy
    assert _without_stray_ends(np.concatenate((near, copy))).tolist() == np.concatenate((near, copy)).tolist()
    long_run = np.arange(10, 10 + _SEED_N)  # a run of eight words or more is a copy of its own: kept
    assert _without_stray_ends(np.concatenate((long_run, copy))).tolist() == np.concatenate((long_run, copy)).tolist()
    assert _without_stray_ends(phrase).tolist() == phrase.tolist()  # nothing but the phrase: kept
