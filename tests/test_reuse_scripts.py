"""Reuse in other scripts: Chinese and Japanese, where every character is a word (``words.NO_SPACE_SCRIPTS``),
Korean, Thai, Hindi.

A reused passage of a Chinese page was never found: the units dropped every one-character word (meant for "a" and
"I"), so a Chinese text had no units at all, and ``dedup align``, the scan and the index all said nothing. A Hindi
passage of three sentences was one unit, its danda ("।") no sentence end, and too short alone.
"""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from dedup import CorpusScanner, Index
from dedup.cli.main import main
from dedup.io.readers import Document
from dedup.reuse.align import align_texts
from dedup.reuse.units import content_stem, units_of

HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
KANA = [chr(c) for c in range(0x3041, 0x3097)]


def _sentence(rng: random.Random, letters: list[str]) -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randrange(12, 30))) + "。"


def _paragraph(rng: random.Random, sentences: int, letters: list[str] = HAN) -> str:
    return "".join(_sentence(rng, letters) for _ in range(sentences))


def _texts(seed: int, shared_sentences: int, letters: list[str] = HAN) -> tuple[str, str, str]:
    """Two texts of four paragraphs each, ``shared`` (a paragraph of ``shared_sentences``) in both."""
    rng = random.Random(seed)
    shared = _paragraph(rng, shared_sentences, letters)
    a = "\n\n".join([_paragraph(rng, 4, letters), shared, _paragraph(rng, 4, letters), _paragraph(rng, 3, letters)])
    b = "\n\n".join([_paragraph(rng, 3, letters), _paragraph(rng, 4, letters), shared, _paragraph(rng, 4, letters)])
    return a, b, shared


@pytest.mark.parametrize("seed", range(5))
def test_a_copied_chinese_passage_is_found_to_the_character(seed):
    a, b, shared = _texts(seed, 3)
    records = align_texts(a, b)
    assert [(r.kind, a[r.a_span[0]:r.a_span[1]], b[r.b_span[0]:r.b_span[1]]) for r in records] == \
        [("verbatim", shared, shared)]  # the closing full stop included


def test_a_copied_japanese_passage_is_found():
    a, b, shared = _texts(7, 3, HAN[:300] + KANA)
    assert [a[r.a_span[0]:r.a_span[1]] for r in align_texts(a, b)] == [shared]


def test_unrelated_chinese_texts_share_nothing():
    rng = random.Random(11)
    pairs = [(_paragraph(rng, 4) + "\n\n" + _paragraph(rng, 4), _paragraph(rng, 4) + "\n\n" + _paragraph(rng, 4))
             for _ in range(20)]
    assert [align_texts(a, b) for a, b in pairs] == [[]] * 20


def test_a_long_name_both_texts_hold_is_no_copy():
    """Twelve characters in a row are one name (the Standing Committee of the National People's Congress), not a
    copied passage: a Chinese copy needs about as much text as eight English words do."""
    rng = random.Random(3)
    name = "全国人民代表大会常务委员会"
    a = "\n\n".join(_paragraph(rng, 3)[:-1] + name + "。" for _ in range(3))
    b = "\n\n".join(_paragraph(rng, 3)[:-1] + name + "。" for _ in range(3))
    assert align_texts(a, b) == []


def test_a_chinese_character_is_a_content_word_and_weighs_three_letters():
    assert content_stem("国") == "国"
    # Kana are mostly particles and endings, Thai letters an alphabet: no content words alone.
    assert content_stem("の") is None and content_stem("ก") is None
    assert content_stem("a") is None and content_stem("7") is None and content_stem("the") is None
    text = ("第一句话在这里写得很长。Second sentence here, in English words.\n\n"
            "한국어 문장이 여기에 있습니다 그리고 조금 더 깁니다.")
    units = units_of(text, 1)
    assert [units.length(k, k) for k in range(len(units))] == [
        11 * 3 + 1,  # eleven characters and a full stop
        len(units.sentence(1)),  # English: characters
        len(units.sentence(2)) + sum(1 for c in units.sentence(2) if "\uac00" <= c <= "\ud7a3"),  # Hangul: two
    ]
    gap = units.spans[1][0] - units.spans[0][1]
    assert units.length(0, 1) == units.length(0, 0) + gap + units.length(1, 1)
    english = units_of("Plain English text only. It has two sentences here.", 1)
    assert english.extra_before is None and not english.dense
    assert units_of("中文句子在这里写着。" * 3, 1).dense and not units.dense  # most of its words are English


def test_a_copied_korean_passage_of_three_sentences_is_found():
    """Korean is written with spaces, but a Hangul syllable is a few letters: 90 characters are a passage."""
    rng = random.Random(4)
    syllables = [chr(c) for c in range(0xAC00, 0xAC00 + 500)]

    def paragraph(sentences: int) -> str:
        return " ".join(" ".join("".join(rng.choice(syllables) for _ in range(rng.randrange(2, 4)))
                                 for _ in range(rng.randrange(6, 10))) + "." for _ in range(sentences))

    shared = paragraph(3)
    a = "\n\n".join([paragraph(4), shared, paragraph(4)])
    b = "\n\n".join([paragraph(3), shared, paragraph(4)])
    assert len(shared) < 150
    assert [a[r.a_span[0]:r.a_span[1]] for r in align_texts(a, b)] == [shared]


@pytest.mark.parametrize("letters", [[chr(c) for c in range(0x0E01, 0x0E2F)], KANA], ids=["thai", "kana"])
def test_texts_of_an_alphabet_or_kana_alone_are_not_linked_by_their_letters(letters):
    rng = random.Random(6)
    pairs = [("\n\n".join(_paragraph(rng, 4, letters) for _ in range(3)),
              "\n\n".join(_paragraph(rng, 4, letters) for _ in range(3))) for _ in range(10)]
    assert [align_texts(a, b) for a, b in pairs] == [[]] * 10


def test_a_corpus_scan_and_the_index_find_chinese_reuse(tmp_path):
    rng = random.Random(5)
    documents = [Document(f"d{k}", "\n\n".join(_paragraph(rng, 4) for _ in range(4))) for k in range(20)]
    passage = _paragraph(rng, 4)
    reusing = Document("reuser", documents[3].text + "\n\n" + passage)
    source = Document("source", passage + "\n\n" + _paragraph(rng, 4))
    report = CorpusScanner().scan([*documents, reusing, source])
    assert [(r.a, r.b, reusing.text[r.a_span[0]:r.a_span[1]], source.text[r.b_span[0]:r.b_span[1]])
            for r in report.reuse] == [("reuser", "source", passage, passage)]
    with Index(str(tmp_path / "zh.db")) as index:
        index.add_many([*documents, source])
        verdict = index.check("reuser", reusing.text)
    assert [(r.b, reusing.text[r.a_span[0]:r.a_span[1]]) for r in verdict.reuse] == [("source", passage)]


def test_dedup_align_prints_a_chinese_passage(tmp_path):
    a, b, shared = _texts(2, 4)
    (tmp_path / "a.txt").write_text(a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(b, encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-f", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)["reuse"]
    assert [a[r["a_span"][0]:r["a_span"][1]] for r in records] == [shared]


def test_a_chinese_copy_joining_two_paragraphs_is_verbatim():
    """Chinese puts no space between sentences: two paragraphs pasted as one are still a verbatim copy."""
    rng = random.Random(9)
    first, second = _paragraph(rng, 2), _paragraph(rng, 2)
    a = "\n\n".join([_paragraph(rng, 3), first, second, _paragraph(rng, 3)])
    b = "\n\n".join([_paragraph(rng, 3), first + second, _paragraph(rng, 3)])
    assert [(r.kind, b[r.b_span[0]:r.b_span[1]]) for r in align_texts(a, b)] == [("verbatim", first + second)]


def test_a_lone_surrogate_in_a_chinese_text_does_not_stop_the_alignment():
    """The readers refuse such text; a library caller's string may still hold one."""
    a, b, shared = _texts(1, 3)
    records = align_texts(a + "\ud800", b)
    assert [a[r.a_span[0]:r.a_span[1]] for r in records] == [shared]


def test_a_copied_hindi_passage_of_three_sentences_is_found_to_the_character():
    rng = random.Random(2)
    consonants = [chr(c) for c in range(0x0915, 0x0939)]
    signs = ["\u093e", "\u093f", "\u0940", "\u0941", "\u0947", "\u094b", ""]

    def paragraph(sentences: int) -> str:
        return " ".join(" ".join("".join(rng.choice(consonants) + rng.choice(signs) for _ in range(rng.randrange(1, 4)))
                                 for _ in range(rng.randrange(6, 14))) + "\u0964" for _ in range(sentences))

    shared = paragraph(3)
    a = "\n\n".join([paragraph(4), shared, paragraph(4)])
    b = "\n\n".join([paragraph(3), shared, paragraph(4)])
    assert len(shared) < 150
    assert [(a[r.a_span[0]:r.a_span[1]], b[r.b_span[0]:r.b_span[1]]) for r in align_texts(a, b)] == [(shared, shared)]
