"""Passages reused between documents: planted copies, trims, rewordings and spreads, found with exact spans."""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup import CorpusScanner
from dedup.io.readers import Document
from dedup.reuse.align import AlignSettings, align_texts
from dedup.reuse.passage_record import aligned_seeds
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch
from dedup.reuse.units import content_stem, units_of, units_of_many
from dedup.text.word_hash import word_hash
from dedup.text.words import words
from tests.planted import _document, _vocabulary

PASSAGE = [
    "The city council voted nine to four on Tuesday night to approve a budget of 298 million dollars for the "
    "coming year.",
    "The plan raises property taxes by two percent and adds forty new police officers to the downtown precinct.",
    "Mayor Linda Ortiz said the vote showed that the council could still work together on the hardest choices.",
    "Opponents argued that the tax increase would hurt families already struggling with rising rents and "
    "grocery prices.",
]
REWORDED = [
    "On Tuesday evening, council members approved the coming year's budget of 298 million dollars by a vote of "
    "nine to four.",
    "Property taxes will rise by two percent under the plan, which also adds forty police officers to the "
    "downtown precinct.",
    "According to Mayor Linda Ortiz, the vote proved the council can still work together on its hardest choices.",
    "Critics said that families already struggling with rising rents and grocery prices would be hurt by the "
    "tax increase.",
]


def _filler(seed: int, paragraphs: int = 4) -> list[str]:
    rng = random.Random(seed)
    return _document(rng, _vocabulary(rng, 3000), paragraphs)


def _join(paragraphs: list[str], newline: str = "\n") -> str:
    return (newline * 2).join(paragraphs)


def _spans(found, a: str, b: str) -> list[tuple[str, str]]:
    return [(a[r.a_span[0]:r.a_span[1]], b[r.b_span[0]:r.b_span[1]]) for r in found]


def _overlap(span: tuple[int, int], start: int, end: int) -> float:
    """Share of ``[start, end)`` that ``span`` covers."""
    return max(0, min(span[1], end) - max(span[0], start)) / (end - start)


def test_a_copied_passage_is_found_to_the_character():
    passage = " ".join(PASSAGE)
    a = _join(_filler(1)[:2] + [passage] + _filler(1)[2:])
    b = _join(_filler(2)[:3] + [passage] + _filler(2)[3:])
    found = align_texts(a, b, "a", "b")
    assert _spans(found, a, b) == [(passage, passage)]
    assert found[0].kind == "verbatim" and found[0].a == "a" and found[0].b == "b"
    assert found[0].jaccard == 1.0 and len(found[0].sentences) == 4


def test_a_copy_of_a_restatement_lists_each_sentence_with_its_copy():
    # The copied text restates its first sentence in its last: every sentence seeds with its copy, and the two
    # restating sentences with each other's copy too. The aligned sentences are the copies only.
    copied = [PASSAGE[0], PASSAGE[1], REWORDED[0]]
    a = _join(_filler(3)[:2] + [" ".join(copied)] + _filler(3)[2:])
    b = _join(_filler(4)[:1] + [" ".join(copied)] + _filler(4)[1:])
    found = align_texts(a, b, "a", "b")
    assert _spans(found, a, b) == [(" ".join(copied), " ".join(copied))]
    assert [(s.a, s.b, s.cosine) for s in found[0].sentences] == [(s, s, 1.0) for s in copied]
    # The restating sentences align with each other alone: they are seeds of each other's copies too.
    assert align_texts(PASSAGE[0], REWORDED[0], min_chars=0)


def test_aligned_seeds_keep_every_best_partner():
    # One summary sentence restating two source sentences: it is the only partner either has, so both pairs stay.
    kept, values = aligned_seeds(np.array([[0, 0], [0, 1]]), np.array([[0.55, 0.48]]))
    assert kept.tolist() == [[0, 0], [0, 1]] and values.tolist() == [0.55, 0.48]
    # Two sentences of each side crossed: each keeps its best partner only; a tie keeps both.
    crossed = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert aligned_seeds(crossed, np.array([[1.0, 0.7], [0.7, 1.0]]))[0].tolist() == [[0, 0], [1, 1]]
    assert aligned_seeds(crossed, np.array([[1.0, 1.0], [0.7, 0.9]]))[0].tolist() == [[0, 0], [0, 1], [1, 1]]


def test_a_trimmed_copy_inside_a_longer_paragraph():
    trimmed = " ".join(PASSAGE[1:3])
    filler = _filler(3)
    a = _join([filler[0], filler[1] + " " + trimmed + " " + filler[2], filler[3]])
    b = _join(_filler(4)[:2] + [" ".join(PASSAGE)] + _filler(4)[2:])
    found = align_texts(a, b, settings=AlignSettings(min_chars=100))
    assert _spans(found, a, b) == [(trimmed, trimmed)]


def test_a_copy_starting_and_ending_inside_sentences():
    passage = " ".join(PASSAGE)
    cut = passage[passage.index("approve a budget"):passage.index(" and grocery")]
    filler = _filler(5)
    a = _join([filler[0], filler[1] + " Reports say they " + cut + " (or so we hear).", filler[2]])
    b = _join(_filler(6)[:2] + [passage] + _filler(6)[2:])
    assert _spans(align_texts(a, b), a, b) == [(cut, cut)]


def test_a_copy_inside_a_block_without_sentence_ends_is_found():
    # The block is one unit of 2,900 characters, the copy a tenth of it: as wholes the two sides' cosine is
    # 0.23, under passage_cosine, but a shared run of words is a copy whatever surrounds it.
    rng = random.Random(5)
    vocabulary = _vocabulary(rng, 3000)
    copy = " ".join(s.rstrip(".") for s in PASSAGE[:2])
    block = " ".join([*(rng.choice(vocabulary) for _ in range(150)), copy, *(rng.choice(vocabulary) for _ in range(150))])
    a = _join(_filler(51)[:2] + [block] + _filler(51)[2:])
    b = _join(_filler(52)[:2] + ["\n".join(s.rstrip(".") for s in PASSAGE[:2])] + _filler(52)[2:])
    assert max(end - start for start, end in units_of(a).spans) > 10 * len(copy) / 2
    found = align_texts(a, b)
    assert [(text_a, r.kind) for (text_a, _), r in zip(_spans(found, a, b), found)] == [(copy, "verbatim")]
    assert _spans(found, a, b)[0][1] == "\n".join(s.rstrip(".") for s in PASSAGE[:2])


def test_a_passage_spread_over_two_paragraphs_is_one_passage():
    filler = _filler(7)
    a = _join([filler[0], " ".join(PASSAGE[:2]), filler[1][:80], " ".join(PASSAGE[2:]), filler[2]])
    b = _join(_filler(8)[:2] + [" ".join(PASSAGE)] + _filler(8)[2:])
    found = align_texts(a, b)
    assert len(found) == 1
    start, end = a.index(PASSAGE[0]), a.index(PASSAGE[3]) + len(PASSAGE[3])
    assert found[0].a_span == (start, end)
    assert b[found[0].b_span[0]:found[0].b_span[1]] == " ".join(PASSAGE)


def test_a_reworded_passage_is_found_as_restated():
    a = _join(_filler(9)[:2] + [" ".join(REWORDED)] + _filler(9)[2:])
    b = _join(_filler(10)[:1] + [" ".join(PASSAGE)] + _filler(10)[1:])
    found = align_texts(a, b)
    assert len(found) == 1 and found[0].kind in ("restated", "edited")
    a_start, b_start = a.index(REWORDED[0]), b.index(PASSAGE[0])
    assert _overlap(found[0].a_span, a_start, a_start + len(" ".join(REWORDED))) >= 0.9
    assert _overlap(found[0].b_span, b_start, b_start + len(" ".join(PASSAGE))) >= 0.9
    assert all(s.cosine > 0 for s in found[0].sentences)


def test_a_short_passage_grows_into_a_reworded_neighbour():
    # One seed sentence pair (about 100 characters, under min_chars) and a neighbour too reworded to be a seed
    # (cosine 0.28, Dice 0.33): the passage grows into the neighbour and is kept; with growth off it is too short.
    seed = "Property taxes will rise by two percent, and forty new officers go to the downtown precinct."
    neighbour = "Ortiz, the mayor, argued the vote proved members can cooperate when it matters most."
    a = _join(_filler(21)[:2] + [seed + " " + neighbour] + _filler(21)[2:])
    b = _join(_filler(22)[:2] + [PASSAGE[1] + " " + PASSAGE[2]] + _filler(22)[2:])
    assert _spans(align_texts(a, b, neighbour_cosine=0.25), a, b) == [(seed + " " + neighbour, PASSAGE[1] + " " + PASSAGE[2])]
    assert align_texts(a, b, neighbour_cosine=1.0) == []
    # The same seed beside a sentence of another text: nothing to grow into, so nothing is reported.
    chance = _join(_filler(21)[:2] + [_filler(23)[0].split(". ")[0] + ". " + seed] + _filler(21)[2:])
    assert align_texts(chance, b, neighbour_cosine=0.25) == []


def test_a_short_passage_of_two_seeds_is_kept():
    # Two reworded sentences, 145 characters (under min_chars 150), each a seed: kept at seeded_min_share 0.65
    # (98 characters) as its sides' cosine (0.63) reaches seeded_cosine (0.45); one such sentence alone is not.
    first = "Property taxes rise two percent and forty officers join the downtown precinct."
    second = "Mayor Ortiz said the council still works together on hard choices."
    a = _join(_filler(41)[:2] + [first + " " + second] + _filler(41)[2:])
    b = _join(_filler(42)[:2] + [PASSAGE[1] + " " + PASSAGE[2]] + _filler(42)[2:])
    assert (AlignSettings().seeded_min_share, AlignSettings().seeded_cosine, AlignSettings().neighbour_cosine) \
        == (0.65, 0.45, 1.0)
    assert _spans(align_texts(a, b), a, b) == [(first + " " + second, PASSAGE[1] + " " + PASSAGE[2])]
    assert align_texts(a, b, seeded_min_share=1.0) == []
    assert align_texts(a, b, seeded_cosine=0.7) == []
    alone = _join(_filler(41)[:2] + [first + " " + _filler(43)[0].split(". ")[0] + "."] + _filler(41)[2:])
    assert align_texts(alone, b) == []


MEETING = [
    "The meeting began with a moment of silence for a former clerk who served the city for thirty years.",
    "Residents lined up outside the chamber an hour early, many holding signs about the new bus routes.",
    "A long debate over parking meters on Main Street took most of the first two hours.",
    "Several speakers asked for more money for the public library and its weekend hours.",
    "The fire chief presented a report on response times in the eastern neighborhoods.",
    "Council members also renamed a small park after a local teacher who died last spring.",
    "The session was streamed online, and the recording drew several thousand viewers.",
    "A vote on the new recycling contract was postponed until the next meeting in March.",
    "Two students from the high school robotics team showed the machine that won a state prize.",
    "The clerk read letters from neighbors who want a crosswalk near the elementary school.",
    "A developer described plans for apartments on the site of the old textile mill.",
    "The water department warned that repairs on Elm Avenue will close one lane for a week.",
]
SUMMARY = [
    "Nine members backed a 298 million dollar budget for next year.",
    "It lifts property taxes and hires forty officers downtown.",
    "Mayor Ortiz praised the council for working together on hard choices.",
    "Critics warned that families facing rising rents would suffer from the tax.",
]
SUMMARY_RULE = {"summary_seed_cosine": 0.3, "summary_cosine": 0.3, "summary_coverage": 0.7, "summary_sentences": 3}


def _meeting_report(between: int) -> str:
    """PASSAGE's four sentences, ``between`` other sentences of the same meeting after each."""
    return " ".join(x for k in range(4) for x in (PASSAGE[k], *MEETING[between * k:between * (k + 1)]))


def test_a_summary_of_a_long_passage_is_found():
    # Each summary sentence restates one of four sentences spread over a passage three times its length, at
    # cosine 0.36-0.54: the whole passages' cosine is 0.34, under the passages' and the former summary rule's.
    source = _meeting_report(2)
    a = _join(_filler(31)[:2] + [" ".join(SUMMARY)] + _filler(31)[2:])
    b = _join(_filler(32)[:1] + [source] + _filler(32)[1:])
    assert _spans(align_texts(a, b, **SUMMARY_RULE), a, b) == [
        (" ".join(SUMMARY), source[:source.index(MEETING[6]) - 1])]
    assert align_texts(a, b, summary_seed_cosine=0.35, summary_cosine=0.5, summary_coverage=0.0,
                       summary_sentences=1) == []
    assert align_texts(a, b, **{**SUMMARY_RULE, "summary_sentences": 5}) == []  # four sentences only


def test_a_summary_needs_most_of_its_sentences_restated():
    # Three summary sentences with an unrelated one between each: three of five sentences have a partner.
    spread = " ".join([SUMMARY[0], "Autumn fog drifted over harbor cranes.", SUMMARY[1],
                       "Violin lessons resume after winter holidays.", SUMMARY[2]])
    a = _join(_filler(31)[:2] + [spread] + _filler(31)[2:])
    b = _join(_filler(32)[:1] + [_meeting_report(3)] + _filler(32)[1:])
    rule = {**SUMMARY_RULE, "summary_cosine": 0.2}
    assert align_texts(a, b, **rule) == []  # coverage 0.6 < 0.7
    assert [text_a for text_a, _ in _spans(align_texts(a, b, **{**rule, "summary_coverage": 0.5}), a, b)] == [spread]


def test_a_summary_replaces_the_passage_of_its_closest_sentence():
    # The summary's first sentence is copied: a passage of its own (117 characters, a third of the summary).
    # The summary replaces it when such passages cover at most summary_replace_share of it; else it stands.
    summary = " ".join([PASSAGE[0]] + SUMMARY[1:])
    source = _meeting_report(2)
    a = _join(_filler(31)[:2] + [summary] + _filler(31)[2:])
    b = _join(_filler(32)[:1] + [source] + _filler(32)[1:])
    rule = {**SUMMARY_RULE, "min_chars": 100}
    assert _spans(align_texts(a, b, **rule, summary_replace_share=0.5), a, b) == [
        (summary, source[:source.index(MEETING[6]) - 1])]
    for share in (0.0, 0.3):
        assert _spans(align_texts(a, b, **rule, summary_replace_share=share), a, b) == [(PASSAGE[0], PASSAGE[0])]


def test_unrelated_texts_share_nothing():
    assert align_texts(_join(_filler(11)), _join(_filler(12))) == []
    assert align_texts("", _join(_filler(12))) == []


@pytest.mark.parametrize("newline, prefix", [("\r\n", ""), ("\n", "\ufeff"), ("\r\n", "Überschrift — “zitat” ")])
def test_spans_index_the_text_as_read(newline, prefix):
    passage = " ".join(s.replace("Ortiz", "Ortíz") for s in PASSAGE)
    a = prefix + _join(_filler(13)[:2] + [passage] + _filler(13)[2:], newline)
    b = _join([prefix + "Café naïve résumé."] + _filler(14)[:1] + [passage.replace(". ", "." + newline)],
              newline)
    found = align_texts(a, b)
    assert len(found) == 1
    a_text, b_text = _spans(found, a, b)[0]
    assert a_text == passage
    assert b_text == passage.replace(". ", "." + newline)


def test_units_keep_their_place_in_the_text():
    text = "\ufeffA title line here\r\n\r\nFirst real sentence of the body here. Second one, with “quotes” too!"
    units = units_of(text, min_words=2)
    assert [text[s:e] for s, e in units.spans] == ["A title line here", "First real sentence of the body here.",
                                                 "Second one, with “quotes” too!"]


def test_units_hold_the_hashes_of_their_content_words():
    # "Ok." and "Yes, sure." are short and join the sentence after them; "Prices rose." is short and ends its
    # block, so it joins the one before ("Done now." holds no content word and is no unit).
    text = ("Breaking news today\n\nOk. The committee’s vote approved the new budget plan. Yes, sure. "
            "Studies showed rising costs across the region. Prices rose. Done now.\r\n\r\n"
            "Café owners said prices rose.")
    units = units_of(text, min_words=3)
    assert [text[s:e] for s, e in units.spans] == [
        "Breaking news today", "Ok. The committee’s vote approved the new budget plan.",
        "Yes, sure. Studies showed rising costs across the region. Prices rose.", "Café owners said prices rose."]
    assert units.stem_offsets.tolist()[0] == 0 and units.stem_offsets[-1] == len(units.stems)
    for i, (start, end) in enumerate(units.spans):
        stems = [content_stem(w) for w in words(text[start:end])]
        assert units.stems_of(i, i).tolist() == [word_hash(s) for s in stems if s is not None]
    assert units.stems_of(1, 2).tolist() == units.stems_of(1, 1).tolist() + units.stems_of(2, 2).tolist()
    assert [word_hash(w) for w in ("yes", "sure", "study", "show", "ris", "cost", "region", "pric", "rose")] == \
        units.stems_of(2, 2).tolist()


def test_a_spans_content_words_are_those_of_its_text():
    """``stems_between`` (a copied passage's words, read off the text's words) gives what the span's own text cut
    into units holds, for spans from word start to word end, in plain, accented, Chinese and CRLF text."""
    texts = [" ".join(PASSAGE), "Café owners said “prices rose” sharply; Été was hot!\r\n\r\nThe U.S. envoy, 3.5 km away.",
             "全国人民代表大会常务委员会今天开会。会议讨论了预算。", "Ok. The committee’s vote approved the $298 million plan."]
    rng = random.Random(4)
    for text in texts:
        units = units_of(text)
        for _ in range(40):
            first = rng.randrange(len(units.word_starts))
            last = rng.randrange(first, len(units.word_starts))
            start, end = int(units.word_starts[first]), int(units.word_ends[last])
            expected = units_of(text[start:end]).stems
            assert units.stems_between(start, end).tolist() == expected.tolist(), text[start:end]


def test_units_of_many_texts_are_each_texts_units():
    """Plain texts' words are hashed together (one space between them); the others one by one."""
    texts = [" ".join(PASSAGE), "", "Short.", "The U.S. envoy spoke. Talks went on.\n\nStudies agreed on it.",
             "Café owners said prices rose sharply. Été was hot!", " ".join(REWORDED), "x y z. 12 34 56 78.",
             "\ufeffThe board met.\r\n\r\nIt voted on the plan today. Short one.\r\nIt is of the.", "of the and",
             "   \n\n  ", "Ends with no end mark and no short tail"]
    # Each text's units are the same cut alone or among others, in any order (the texts are laid end to end).
    for order in (texts, texts[::-1]):
        for text, many in zip(order, units_of_many(order, min_words=2)):
            one = units_of_many([text], min_words=2)[0]
            assert many.spans == one.spans and many.block == one.block and many.text == text
            for name in ("stems", "stem_offsets", "word_hashes", "word_stems", "word_starts", "word_ends"):
                assert getattr(many, name).tolist() == getattr(one, name).tolist(), name
            assert all(text[s:e].strip() == text[s:e] and text[s:e] for s, e in one.spans)
    for text, many in zip(texts, units_of_many(texts, min_words=2)):
        one = units_of(text, min_words=2)
        assert many.spans == one.spans and many.block == one.block
        for name in ("stems", "stem_offsets", "word_hashes", "word_stems", "word_starts", "word_ends"):
            assert getattr(many, name).tolist() == getattr(one, name).tolist(), name


def _corpus() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Documents with planted reuse, and the passage each reusing pair should share."""
    passage, reworded = " ".join(PASSAGE), " ".join(REWORDED)
    docs = {f"filler{i}": _join(_filler(100 + i)) for i in range(12)}
    docs["source"] = _join(_filler(200)[:2] + [passage] + _filler(200)[2:])
    docs["copy"] = _join(_filler(201)[:1] + [passage] + _filler(201)[1:])
    docs["reworded"] = _join(_filler(202)[:3] + [reworded] + _filler(202)[3:])
    # Repeats itself: restatement inside one document, never reuse against itself.
    docs["self"] = _join([_filler(203)[0], _filler(203)[1], _filler(203)[0]])
    return docs, {("source", "copy"): passage, ("source", "reworded"): reworded}


def reuse_corpus() -> list[tuple[str, str]]:
    """A few hundred generated documents (10% near-duplicates) with planted reuse: the passage of
    ``test_reuse`` pasted into some of them, reworded into others, and ``test_reuse``'s own corpus (a copy, a
    rewording, a document that repeats itself, and a near-duplicate of the source, whose shared passage is
    the cluster's business, not reuse)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from corpusgen import generate

    corpus, _ = generate(300, dup_rate=0.10, seed=9)
    docs = [(d["id"], d["text"]) for d in corpus]
    for i in range(0, 48, 8):
        paragraphs = docs[i][1].split("\n\n")
        paragraphs.insert(2, " ".join(REWORDED if i % 16 else PASSAGE))
        docs[i] = (docs[i][0], "\n\n".join(paragraphs))
    extra, _ = _corpus()
    extra["source-copy"] = extra["source"] + "\n\nOne more line at the end of the republished copy."
    return docs + list(extra.items())


def test_a_corpus_scan_reports_reuse_between_documents():
    docs, expected = _corpus()
    report = CorpusScanner(detector=None).scan([Document(k, v) for k, v in docs.items()])
    pairs = {(r.a, r.b): r for r in report.reuse}
    assert set(expected) <= set(pairs) | {(b, a) for a, b in pairs}
    for r in report.reuse:
        assert r.a != r.b
        assert 0 <= r.a_span[0] < r.a_span[1] <= len(docs[r.a])
        assert 0 <= r.b_span[0] < r.b_span[1] <= len(docs[r.b])
    copy = pairs[("source", "copy")]
    assert docs["source"][copy.a_span[0]:copy.a_span[1]] == expected[("source", "copy")]
    assert report.stats["reuse_passages"] == len(report.reuse) and report.stats["reuse_candidates"] >= 2
    assert not any("filler" in r.a or "filler" in r.b for r in report.reuse)


def test_near_duplicates_are_not_reported_again_as_reuse():
    docs, _ = _corpus()
    docs["source-copy"] = docs["source"] + "\n\nOne more line at the end of the republished copy."
    report = CorpusScanner(detector=None).scan([Document(k, v) for k, v in docs.items()])
    assert any(set(c.members) == {"source", "source-copy"} for c in report.clusters)
    assert not any({r.a, r.b} == {"source", "source-copy"} for r in report.reuse)


def test_reuse_can_be_turned_off_and_configured():
    docs, _ = _corpus()
    items = [Document(k, v) for k, v in docs.items()]
    off = CorpusScanner(detector=None, reuse=False)
    assert off.scan(items).reuse == [] and off.params()["reuse"] is None
    strict = CorpusScanner(detector=None, reuse=ReuseSearch(align=AlignSettings(min_chars=10_000)))
    assert strict.scan(items).reuse == []
    with pytest.raises(ValueError, match="reuse must be"):
        CorpusScanner(reuse="yes")
    with pytest.raises(ValueError, match="min_shared"):
        ReuseSearch(min_shared=0)
    with pytest.raises(ValueError, match="seed_cosine"):
        AlignSettings(seed_cosine=1.5)


def test_boilerplate_sentences_do_not_pair_every_document():
    footer = "Sign up for our morning briefing to get the top stories of the day delivered to your inbox."
    texts = [_join(_filler(300 + i) + [footer]) for i in range(60)]
    # The footer is in every document: without the common-word filter, the bucket cap and the partner cap all
    # 1,770 pairs would meet; random words of the fillers may still pair one or two by chance.
    assert len(ReuseSearch().candidates_of_texts(texts)) <= 5
    assert len(ReuseSearch(**KEY_SETTINGS["all"]).candidates_of_texts(texts)) <= 5
    assert len(ReuseSearch(common_docs=100, max_bucket=100, max_partners=0).candidates_of_texts(texts)) > 1000
    # The partner cap alone bounds them: each document keeps its 10 strongest partners, a pair kept by either.
    capped = ReuseSearch(common_docs=100, max_bucket=100).candidates_of_texts(texts)
    assert 300 <= len(capped) <= 10 * len(texts)
    assert np.bincount(capped.ravel()).min() >= 10
    copied = texts[:10] + [texts[10] + "\n\n" + texts[3].split("\n\n")[1]]
    assert [3, 10] in ReuseSearch().candidates_of_texts(copied).tolist()


@pytest.fixture()
def corpus_files(tmp_path):
    docs, _ = _corpus()
    for name, text in docs.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return tmp_path, docs


def _run(*args):
    from click.testing import CliRunner

    from dedup.cli.main import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_scan_json_jsonl_and_csv_carry_reuse(corpus_files):
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads(files("dedup").joinpath("schema/scan-report.schema.json").read_text())
    folder, docs = corpus_files
    result = _run("scan", folder, "-f", "json", "--no-within", "-q")
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema)
    assert report["reuse"] and report["params"]["reuse"]["min_shared"] >= 1
    for r in report["reuse"]:
        a, b = docs[r["a"].rsplit("/", 1)[-1][:-4]], docs[r["b"].rsplit("/", 1)[-1][:-4]]
        assert a[r["a_span"][0]:r["a_span"][1]] and b[r["b_span"][0]:r["b_span"][1]]
        assert r["kind"] in ("verbatim", "edited", "restated")
    lines = [json.loads(line) for line in _run("scan", folder, "-f", "jsonl", "--no-within", "-q").stdout.splitlines()]
    reuse_lines = [line for line in lines if line["kind"] == "reuse"]
    assert len(reuse_lines) == len(report["reuse"])
    line_schema = {**schema["$defs"]["jsonl_line"], "$defs": schema["$defs"]}
    for line in lines:
        jsonschema.validate(line, line_schema)
    rows = list(csv.DictReader(io.StringIO(_run("scan", folder, "-f", "csv", "--no-within", "-q").stdout)))
    assert {row["kind"] for row in rows} >= {"verbatim"}
    table = _run("scan", folder, "--no-within", "-q").stdout
    assert "reused between documents" in table
    assert json.loads(_run("scan", folder, "-f", "json", "--no-within", "--no-reuse", "-q").stdout)["reuse"] == []
    every_word = json.loads(_run("scan", folder, "-f", "json", "--no-within", "-q", "--reuse-keys", "all").stdout)
    jsonschema.validate(every_word, schema)
    uncommon = json.loads(_run("scan", folder, "-f", "json", "--no-within", "-q", "--reuse-keys", "uncommon").stdout)

    def keys_of(found: dict) -> tuple:
        return tuple(found["params"]["reuse"][k] for k in ("key_words", "common_share", "min_shared"))

    assert keys_of(every_word) == (0, 1.0, 4) and keys_of(uncommon) == (0, 0.005, 3)
    assert keys_of(report) == tuple(KEY_SETTINGS["pairs"][k] for k in ("key_words", "common_share", "min_shared"))

    def linked(found: dict) -> set:
        return {frozenset(Path(r[side]).stem for side in ("a", "b")) for r in found["reuse"]}

    for found in (report, every_word, uncommon):  # each setting of the keys finds the copy and the rewording
        assert {frozenset(("source", "copy")), frozenset(("source", "reworded"))} <= linked(found)
    assert _run("scan", folder, "--reuse-keys", "most").exit_code == 2


def test_align_command(corpus_files, tmp_path):
    folder, docs = corpus_files
    result = _run("align", folder / "copy.txt", folder / "source.txt", "-f", "json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    (r,) = out["reuse"]
    assert docs["copy"][r["a_span"][0]:r["a_span"][1]] == " ".join(PASSAGE)
    assert out["a_length"] == len(docs["copy"])
    table = _run("align", folder / "reworded.txt", folder / "source.txt")
    assert table.exit_code == 0 and "1 reused passage" in table.stdout
    # Every aligned sentence pair of the passage, each with its cosine (the scan's table shows the first only).
    (passage,) = json.loads(_run("align", folder / "reworded.txt", folder / "source.txt", "-f", "json").stdout)["reuse"]
    assert len(passage["sentences"]) == 4
    shown = [line for line in table.stdout.splitlines() if line.startswith("    b: ")]
    assert [float(line.rsplit("(cosine ", 1)[1].rstrip(")")) for line in shown] == [
        round(s["cosine"], 2) for s in passage["sentences"]]
    assert _run("align", folder / "filler1.txt", folder / "filler2.txt").exit_code == 1


@pytest.mark.parametrize("content, message", [(None, "no such file"), (b"\x00\x01binary", "binary file"),
                                              (b"", "empty")])
def test_align_bad_input_is_one_line(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(" ".join(PASSAGE), encoding="utf-8")
    result = _run("align", good, bad)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "bad.txt" in lines[0]


def test_html_report_shows_reuse_side_by_side(corpus_files):
    import html

    folder, docs = corpus_files
    page = _run("scan", folder, "-f", "html", "--no-within", "-q").stdout
    assert "Passages reused between documents" in page
    marked = [html.unescape(m.split("</mark>")[0]) for m in page.split("<mark>")[1:]]
    assert " ".join(PASSAGE) in marked  # the copied passage, highlighted in both documents
    assert marked.count(" ".join(PASSAGE)) >= 2
    # Under each passage, its aligned sentence pairs, folded: the copy's four, each beside its copy.
    copy = next(block for block in page.split('<h3 id="reuse-')[1:] if "copy.txt" in block and "source.txt" in block)
    aligned = copy.split('<details class="aligned">')[1].split("</details>")[0]
    assert "<summary>4 aligned sentence pairs</summary>" in aligned
    rows = [[html.unescape(cell.split("</td>")[0]) for cell in row.split("<td>")[1:]]
            for row in aligned.split("<tr>")[2:]]
    assert rows == [["1.00", sentence, sentence] for sentence in PASSAGE]


def test_html_report_opens_a_passages_aligned_sentences_in_a_real_browser(corpus_files, tmp_path):
    from tests.test_report_html import _browser

    folder, _ = corpus_files
    report = tmp_path / "report.html"
    report.write_text(_run("scan", folder, "-f", "html", "--no-within", "-q").stdout, encoding="utf-8")
    browser = _browser()
    try:
        browser.get(report.as_uri())
        shown = "return document.querySelector('details.aligned table').checkVisibility()"
        opened = "return document.querySelector('details.aligned').open"
        assert browser.execute_script(shown) is False and browser.execute_script(opened) is False  # folded
        browser.find_element("css selector", "details.aligned summary").click()
        assert browser.execute_script(shown) is True and browser.execute_script(opened) is True
        cells = browser.execute_script("return Array.from(document.querySelectorAll('details.aligned')[0]"
                                       ".querySelectorAll('tr')).map(function(r) { return r.innerText; })")
        assert len(cells) >= 2 and cells[0].split("\t")[0] == "cosine"
    finally:
        browser.quit()


def test_two_texts_are_two_documents_even_as_one_object():
    """``align_texts(t, t)`` once answered as ``t`` against itself and ``align_texts(t, copy)`` as two documents:
    the result hung on whether two equal strings were one object. Now two texts are two documents, and a text
    against itself is asked for by leaving ``b`` out."""
    text = (Path(__file__).resolve().parents[1] / "data" / "vance_article.txt").read_text(encoding="utf-8")
    copy = "".join(list(text))
    assert copy is not text
    same, equal = align_texts(text, text), align_texts(text, copy)
    assert same == equal and [(r.a_span, r.b_span, r.kind) for r in same] == [((0, len(text)), (0, len(text)), "verbatim")]
    inside = align_texts(text, a_id="article")
    assert inside and all(r.a == r.b == "article" and r.a_span != r.b_span for r in inside)


def test_a_passage_shows_its_aligned_sentences_up_to_a_cap():
    from dedup.records import Reuse, ReusedSentence
    from dedup.report.reuse_output import reuse_lines

    pairs = tuple(ReusedSentence(a=f"sentence {k} of a", b=f"sentence {k} of b", cosine=0.5 + k / 100)
                  for k in range(12))
    record = Reuse(a="x", b="y", a_span=(0, 10), b_span=(0, 10), score=0.9, jaccard=0.6, cosine=0.9, kind="edited",
                   sentences=pairs)
    lines = reuse_lines([record], sentences=10)
    assert [line for line in lines if line.startswith("    b: ")][-1] == "    b: sentence 9 of b  (cosine 0.59)"
    assert lines[-1] == "    ... and 2 more aligned sentences (all of them in --format json)"
    assert reuse_lines([record]) == lines[:1] + ["    a: sentence 0 of a", "    b: sentence 0 of b"]


@pytest.mark.parametrize("between", [1, 2, 3])
def test_a_passage_copied_twice_a_few_paragraphs_apart_is_two_records(between):
    """Grouped by gaps alone, the two copies (on the same sentences of the source) were one record holding the
    unrelated paragraphs between them, kind "edited"; each copy is its own verbatim record, spans exact."""
    root = Path(__file__).resolve().parent.parent / "data" / "dev"
    source = (root / "business_merger.txt").read_text(encoding="utf-8")
    copied = source.split("\n\n")[3:6]
    own = (root / "weather_flood.txt").read_text(encoding="utf-8").split("\n\n")
    other = (root / "tech_ai_chip.txt").read_text(encoding="utf-8").split("\n\n")
    text = "\n\n".join(own[:6] + copied + other[2:2 + between] + copied + own[6:9])
    found = align_texts(text, source, "twice", "source")
    assert [r.kind for r in found] == ["verbatim", "verbatim"]
    for record in found:
        assert text[record.a_span[0]:record.a_span[1]] == source[record.b_span[0]:record.b_span[1]]
        assert all(p not in text[record.a_span[0]:record.a_span[1]] for p in other[2:2 + between])


@pytest.mark.parametrize("before", [". ", " "])
def test_a_copys_scores_are_those_of_its_span_whatever_precedes_it(before):
    """A copy inside a block without a sentence end before it (a tag list run into it) is scored on the copied
    text itself: its Jaccard, kind and sentences do not take in the 400 tags of the unit it lies in."""
    passage = ("The harbour council approved a new budget of forty million for road repairs on Tuesday after a long "
               "debate. Residents in the old town said the repairs were long overdue and welcomed the decision. Work "
               "will start in the spring and is expected to last two years, the mayor told reporters at the hall.")
    source = "Harbour news\n\n" + passage.replace("long overdue", "very overdue") + "\n\nThe library opens late.\n"
    copy = "Tags: " + " ".join(f"tag{i}" for i in range(400)) + before + passage + "\n"
    (record,) = align_texts(copy, source)
    assert copy[record.a_span[0]:record.a_span[1]].startswith("The harbour council")
    assert record.kind == "edited" and record.jaccard > 0.9
    assert all("tag399" not in s.a and len(s.a) < 200 for s in record.sentences)


def test_a_sentence_pair_is_listed_once_in_a_record():
    """Found by trying it: the bundled article's title, repeated at the top of its first paragraph, was listed as
    the same aligned sentence pair several times in a copy's record."""
    article = (Path(__file__).resolve().parents[1] / "data" / "vance_article.txt").read_text(encoding="utf-8")
    for record in align_texts(article, article):
        pairs = [(s.a, s.b) for s in record.sentences]
        assert pairs and len(pairs) == len(set(pairs))
