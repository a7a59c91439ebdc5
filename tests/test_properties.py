"""Property-based tests: segmentation and detection invariants on generated text."""

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import find_redundancy
from dedup.text.segment import normalize, segment

WORDS = st.sampled_from(["Mr.", "U.S.", "J.D.", "No.", "5", "3.5", "peace", "deal", "Putin", "Vance", "the",
                         "talks", "end.", "why?", "yes!", '"quote."', "e.g.", "...", "-", "Kyiv's", "war"])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n \n", "\r\n", "\t"])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), max_size=60).map(lambda parts: "".join(w + s for w, s in parts))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_segmentation_never_loses_or_duplicates_characters(text):
    paragraphs = segment(text)
    assert squeeze("".join(p.text for p in paragraphs)) == squeeze(normalize(text))
    for p in paragraphs:
        assert squeeze("".join(s.text for s in p.sentences)) == squeeze(p.text)
        for s in p.sentences:
            assert p.text[s.start:s.end] == s.text and s.text.strip() == s.text and s.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_segmentation_of_arbitrary_unicode_keeps_every_character(text):
    paragraphs = segment(text)
    assert squeeze("".join(s.text for p in paragraphs for s in p.sentences)) == squeeze(normalize(text))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij klmnop", min_size=30, max_size=120), min_size=1, max_size=6))
def test_a_paragraph_repeated_verbatim_is_always_matched(paragraphs):
    paragraphs = [p for p in (" ".join(p.split()) for p in paragraphs) if len(p.split()) >= 8]
    if not paragraphs:
        return
    text = "\n\n".join(["Intro"] + paragraphs + [paragraphs[0]])
    report = find_redundancy(text)
    last = len(report.paragraphs) - 1
    assert any(m.a == 1 and m.b == last for m in report.matches)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeisnglyAEIS0123456789 .!?,;:-'\"\n_()")), max_size=120))
def test_numpy_ascii_tokenizer_matches_the_table_tokenizer(text):
    from dedup.text.tokens import TokenTable, tokenize

    table = TokenTable()
    fast = tokenize([text, "x"], table)  # pure ASCII: the numpy path
    slow = tokenize([text + " \u00e9", "x"], table)  # one non-ASCII word: the table path
    n = fast.offsets[1]
    assert fast.hashes[:n].tolist() == slow.hashes[:n].tolist()
    assert np.array_equal(np.diff(fast.sentence[:n]) > 0, np.diff(slow.sentence[:n]) > 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("abcsieéèßøçñüÅÉΩαжİı²٣07 .!?,-'_\n\u0301€中") + ["ies", "ing", "ed"]),
                         max_size=60), min_size=1, max_size=4))
def test_byte_tokenizer_of_unicode_letters_matches_the_regex_tokenizer(pieces):
    from dedup.text.tokens import TokenTable, _raw_values, _regex_values

    texts = ["".join(p) for p in pieces]
    table = TokenTable()
    values, owner, numeric = _raw_values(texts, table)  # ASCII, letter-only and regex texts, as they come
    expected, expected_owner, expected_numeric = _regex_values([t.lower() for t in texts], TokenTable())
    assert values.tolist() == expected.tolist() and owner.tolist() == expected_owner.tolist()
    assert numeric.tolist() == expected_numeric.tolist()


FRONT_END_PIECES = st.sampled_from([
    "U.S.", "u.s", "3.5", "3.5%", "e.g.", "i.e.,", "...", "?!", ".5", "end.", "why?", "yes!", "Q2", "1,000",
    "The", "the", "us", "closing", "closes", "studies", "officials", "Putin's", "naïve", "café.", "İstanbul",
    "ΣΑΣ", "straße", "x.\u0301y", "e\u0301te\u0301", "\u0301", "हिन्दी", "中文。", "我.", "ไทย", "٣.٥", "²",
    "a_b", "-", "'", '"', "(", ")", ";", ":", "\u00e9", "x" * 1030, "\u2019s",
])
FRONT_END_SEPARATORS = st.sampled_from([" ", " ", "", "\n", ", ", ". ", "\t"])
FRONT_END_TEXTS = st.one_of(
    st.lists(st.tuples(FRONT_END_PIECES, FRONT_END_SEPARATORS), max_size=30).map(
        lambda parts: "".join(w + s for w, s in parts)),
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(list("abcsU.S3.5!?,;:-' \n\u00e9\u0301\u4e2d\u00ad\u0e01")), max_size=80),
)


@settings(max_examples=400, deadline=None)
@given(FRONT_END_TEXTS)
def test_the_shingler_sees_the_words_and_hashes_of_the_corpus_tokenizer(text):
    """One text front-end: the detector's shingler and the corpus tokenizer find the same words (``words``)
    and hash them with the one word hash; a corpus token hash is the word hash with its two low bits set to
    0b10 (bit 1 marks a kept token, bit 0 is the sentence end, cleared in ``Tokens.hashes``)."""
    from dedup.sketch.shingle import Shingler
    from dedup.text.stop_words import ENGLISH_STOP_WORDS
    from dedup.text.tokens import TokenTable, tokenize
    from dedup.text.word_hash import word_hash
    from dedup.text.words import word_of, word_spans, words

    shingler = Shingler()
    content = shingler.hashes(shingler.tokenize(text)).tolist()
    corpus = tokenize([text], TokenTable()).hashes.tolist()
    if corpus:
        assert [h & ~3 | 2 for h in content] == corpus
    else:  # no content word: the shingler keeps a sentence of stop words only, the corpus drops it
        assert all(w in ENGLISH_STOP_WORDS for w in words(text))
    every = tokenize([text], TokenTable(stop_words=False, stem=False)).hashes.tolist()
    assert [word_hash(w) & ~3 | 2 for w in words(text)] == every
    # Spans cover each word as written: no sentence punctuation at either end, in order, not overlapping.
    spans = word_spans(text)
    assert [w for w, _, _ in spans] == words(text)
    last = 0
    for word, start, end in spans:
        written = text[start:end]
        assert last <= start < end and written[0] not in ".!?" and written[-1] not in ".!?"
        # Lower-cased alone, a capital sigma may take its other form than in the whole text.
        assert word_of(written.lower()).replace("ς", "σ") == word.replace("ς", "σ")
        last = end


@settings(max_examples=400, deadline=None)
@given(st.one_of(FRONT_END_TEXTS, st.text(alphabet=st.sampled_from(list("abXY09 _-.,!?'\"\n\té")), max_size=80)))
def test_word_arrays_are_word_spans(text):
    """The numpy path of plain ASCII text (reuse units) finds exactly ``word_spans``'s words and offsets."""
    from dedup.text.words import word_arrays, word_spans

    found, starts, ends = word_arrays(text)
    assert list(zip(found, starts.tolist(), ends.tolist())) == word_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="abcxyz0189", min_size=1, max_size=20),
                          st.text(min_size=1, max_size=12), st.just("q" * 1030)), max_size=30))
def test_word_hashes_of_many_words_are_word_hash_of_each(words):
    from dedup.text.word_hash import word_hash, word_hashes

    assert word_hashes(words).tolist() == [word_hash(w) for w in words]


STEMMED_WORDS = st.sampled_from(["studies", "stories", "running", "agreed", "passes", "glass", "boxes", "cities",
                                 "seeing", "uses", "the", "and", "a", "x", "7", "it's", "Weighed", "CARES", "bus",
                                 "a" * 1030 + "ies", "q" * 1030, "b", "yes", "tied", "dying"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(STEMMED_WORDS, st.sampled_from([" ", ". ", ", ", "\n\n", "-", "'"])), max_size=40).map(
    lambda parts: "".join(w + s for w, s in parts)))
def test_units_word_hashes_in_numpy_are_the_word_by_word_ones(text):
    """Reuse units hash a plain ASCII text's words and content stems in numpy (``tokens.plain_word_hashes``):
    the same values as ``word_hash`` of each word and of its ``content_stem`` (0 for none)."""
    from dedup.reuse.units import _word_hashes, content_stem
    from dedup.text.word_hash import word_hash
    from dedup.text.words import word_arrays

    hashes, stems, starts, ends = _word_hashes([text])[0]
    found, starts_2, ends_2 = word_arrays(text)
    assert starts.tolist() == starts_2.tolist() and ends.tolist() == ends_2.tolist()
    assert hashes.view(np.uint64).tolist() == [word_hash(w) for w in found]
    assert stems.tolist() == [0 if content_stem(w) is None else word_hash(content_stem(w)) for w in found]
