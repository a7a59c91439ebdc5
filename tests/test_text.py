import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.text.segment import normalize, segment, split_paragraphs, split_sentences


def sentences(text):
    return [s.text for s in split_sentences(text)]


def test_normalize_quotes_dashes_spaces_and_line_ends():
    raw = "\u201cHi\u201d \u2014 it\u2019s\u00a0 fine\r\nnext\rline\t\tend  "
    assert normalize(raw) == '"Hi" - it\'s fine\nnext\nline end'


def test_normalize_maps_every_mapped_character_and_folds_every_kind_of_space():
    from dedup.text.segment import _PUNCT_MAP

    mapped = "".join(map(chr, _PUNCT_MAP))
    assert normalize(f"a{mapped}b") == "a'''''" + '"' * 7 + "-------... b"  # NBSP a space, zero-width gone
    # tab, vertical tab, form feed, NBSP, thin space, ideographic space, next line, line separator
    assert normalize("  one\t\x0b\x0c\u00a0two\u2009\u3000three\x85four\u2028five  \n\n  six  ") == \
        "one two three four five\n\nsix"
    assert normalize("\uff02quoted\uff02 \u2033x") == '"quoted" "x'  # NFKC, then the map again


def test_normalize_nfkc():
    assert normalize("\ufb01le \uff21") == "file A"


def test_paragraphs_split_on_blank_and_whitespace_only_lines():
    text = "Title\n\nFirst para\nsame para\n \t \nSecond\n\n\n\nThird"
    assert split_paragraphs(normalize(text)) == ["Title", "First para\nsame para", "Second", "Third"]


def test_text_without_blank_lines_is_one_paragraph_per_line():
    assert split_paragraphs("one\ntwo\nthree") == ["one", "two", "three"]


def test_empty_text_has_no_paragraphs():
    assert segment("  \n\n \t") == []


def test_title_is_paragraph_zero(article_text):
    paragraphs = segment(article_text)
    assert paragraphs[0].text.startswith("US Defense Secretary Suggests Military Action")
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))
    assert len(paragraphs) == 15


def test_newline_after_title_line_ends_a_sentence(article_text):
    p1 = segment(article_text)[1]
    assert len(p1.sentences) == 2
    assert p1.sentences[0].text == "US Defense Secretary Suggests Military Action as Tool in Russia-Ukraine Negotiations"
    assert p1.sentences[1].text.startswith("US Defense Secretary JD Vance suggests")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mr. Smith met J.D. Vance in the U.S. Senate. He left.",
         ["Mr. Smith met J.D. Vance in the U.S. Senate.", "He left."]),
        ("It cost 3.5 dollars. Room No. 5 is free.", ["It cost 3.5 dollars.", "Room No. 5 is free."]),
        ("He lives in the U.S. The weather is fine.", ["He lives in the U.S.", "The weather is fine."]),
        ("Dr. Who? Yes! Fine.", ["Dr. Who?", "Yes!", "Fine."]),
        ('He said "Go." Then he left.', ['He said "Go."', "Then he left."]),
        ("Wait... what happened", ["Wait...", "what happened"]),
        ("Gen. John F. Kennedy spoke.", ["Gen. John F. Kennedy spoke."]),
        ("你好。世界！再见", ["你好。", "世界！", "再见"]),
        # The danda of Hindi, the Urdu full stop and the Arabic question mark end sentences too.
        ("यह पहला वाक्य है। यह दूसरा है॥ अंत", ["यह पहला वाक्य है।", "यह दूसरा है॥", "अंत"]),
        ("یہ پہلا جملہ ہے۔ کیا یہ دوسرا ہے؟ ہاں", ["یہ پہلا جملہ ہے۔", "کیا یہ دوسرا ہے؟", "ہاں"]),
        ("no punctuation at all", ["no punctuation at all"]),
        # An acronym longer than the 64 characters first searched for the word before a full stop.
        ("The agency " + "a.b." * 20 + " said so. It closed.", ["The agency " + "a.b." * 20 + " said so.", "It closed."]),
        ("See " + "x" * 90 + ". It closed.", ["See " + "x" * 90 + ".", "It closed."]),
    ],
)
def test_sentence_splitting(text, expected):
    assert sentences(text) == expected


def test_hard_wrapped_block_is_joined():
    block = (
        "The committee met on Tuesday to discuss the budget for the\n"
        "coming year and agreed that spending on roads would rise by\n"
        "five percent while spending on parks would stay the same.\n"
        "A vote follows next week."
    )
    got = sentences(block)
    assert len(got) == 2
    assert got[0].startswith("The committee") and got[0].endswith("the same.")


def test_sentence_spans_point_into_the_paragraph(article_text):
    for p in segment(article_text):
        for s in p.sentences:
            assert p.text[s.start : s.end] == s.text


def test_segmentation_keeps_every_non_space_character(article_text):
    def squeeze(t):
        return re.sub(r"\s+", "", t)

    joined = "".join(s.text for p in segment(article_text) for s in p.sentences)
    assert squeeze(joined) == squeeze(normalize(article_text))


def test_combining_marks_table_matches_unicodedata():
    import unicodedata

    from dedup.text.marks import ASTRAL_MARKS, BMP_MARKS, MARK, UNICODE_VERSION, as_class_body, mark_ranges

    if unicodedata.unidata_version == UNICODE_VERSION:
        assert BMP_MARKS + ASTRAL_MARKS == as_class_body(mark_ranges())
    else:  # another Python's Unicode: what the tables list is still a mark (or unassigned there)
        assert all(unicodedata.category(c)[0] in "MC" for c in BMP_MARKS + ASTRAL_MARKS if c != "-")
    assert max(map(ord, BMP_MARKS)) < 0x10000 <= min(ord(c) for c in ASTRAL_MARKS if c != "-")
    mark = re.compile(MARK)
    for c in "\u0301\u093f\u05b8\u20dd\U000110b9\U0001d167\U000e0100":
        assert mark.fullmatch(c), hex(ord(c))
    assert not any(mark.match(c) for c in "a1 .\U0001f600\u4e00")


@pytest.mark.parametrize("text, expected", [
    ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),  # Devanagari vowel signs and virama (Mn, Mc)
    ("שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),  # pointed Hebrew
    ("عَرَبِيّ كَلِمَة", ["عَرَبِيّ", "كَلِمَة"]),  # Arabic harakat
    ("Ḱ̇x e\u0301te\u0301", ["ḱ̇x", "été"]),  # stacked marks that NFKC does not compose; ones it does
    ("\u0301alone mark", ["alone", "mark"]),  # a mark with no letter before it is not a word
])
def test_a_word_runs_on_through_combining_marks(text, expected):
    from dedup.text.tokens import TokenTable, tokenize, word_hash
    from dedup.text.words import words

    text = normalize(text)
    assert words(text) == expected
    table = TokenTable(stop_words=False, stem=False)
    assert tokenize([text], table).hashes.tolist() == [word_hash(w) & ~1 | 2 for w in expected]


def test_the_stop_word_list_is_scikit_learns():
    """Kept as data so ``import dedup`` need not load scikit-learn; it must stay the same list."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as sklearn_words

    from dedup.text.stop_words import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS == sklearn_words


@pytest.mark.parametrize("text, expected, written", [
    ("The U.S. economy grew 3.5% in Q2, officials said.",
     ["the", "us", "economy", "grew", "35", "in", "q2", "officials", "said"],
     ["The", "U.S", "economy", "grew", "3.5", "in", "Q2", "officials", "said"]),
    ("Fruit, e.g. apples... and so on?! Wait.", ["fruit", "eg", "apples", "and", "so", "on", "wait"],
     ["Fruit", "e.g", "apples", "and", "so", "on", "Wait"]),
    ("İstanbul ... .5 我.", ["i\u0307stanbul", "5", "我"], ["İstanbul", "5", "我"]),
    # "。" and the danda end a word, never join two, as "." inside "U.S" does.
    ("我用iPhone。Apple公司", ["我", "用", "iphone", "apple", "公", "司"], ["我", "用", "iPhone", "Apple", "公", "司"]),
    ("word।word है ।", ["word", "word", "है"], ["word", "word", "है"]),
])
def test_words_are_the_corpus_tokenizers_tokens(text, expected, written):
    from dedup.sketch.shingle import Shingler
    from dedup.text.tokens import TokenTable, tokenize
    from dedup.text.words import word_spans, words

    assert words(text) == expected
    assert [(w, text[start:end]) for w, start, end in word_spans(text)] == list(zip(expected, written))
    assert len(Shingler().tokenize(text)) == int(tokenize([text], TokenTable()).offsets[-1])


@pytest.mark.parametrize("text", ["中文句子在这里。第二句子也在这里。第三句", "यह पहला वाक्य है। यह दूसरा है। अंत",
                                  "यह पहला वाक्य है । यह दूसरा है । अंत",
                                  "یہ پہلا جملہ ہے۔ کیا یہ دوسرا ہے؟ ہاں", "One sentence. Two sentences! Three"])
def test_the_corpus_tokenizer_ends_sentences_where_the_splitter_does(text):
    """The corpus tokenizer's sentences (the reuse search's seeds in a scan, sentence-aware shingles) are the
    splitter's: a Chinese text was one sentence to it, its "。" no end."""
    from dedup.text.segment import sentence_spans
    from dedup.text.tokens import TokenTable, tokenize

    tokens = tokenize([text], TokenTable(stop_words=False))
    assert len(set(tokens.sentence.tolist())) == len(sentence_spans(text)) == 3


def test_the_example_sentence_has_six_content_tokens_on_both_paths():
    from dedup.sketch.shingle import Shingler
    from dedup.text.tokens import TokenTable, tokenize

    text = "The U.S. economy grew 3.5% in Q2, officials said."
    shingler = Shingler()
    assert shingler.tokenize(text) == ["economy", "grew", "35", "q2", "official", "said"]
    corpus = tokenize([text], TokenTable()).hashes.tolist()
    assert len(corpus) == 6
    assert [h & ~3 | 2 for h in shingler.hashes(shingler.tokenize(text)).tolist()] == corpus


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u2003", "\u3000", "\x0b"])
def test_an_abbreviation_after_any_kind_of_space_still_continues_the_sentence(space):
    """The splitter reads the token before a period back to the nearest whitespace of any kind (ASCII spaces
    through ``str.rfind``, others a character at a time): "Dr." after a tab or a no-break space is the
    abbreviation, and a sentence end after one is still an end."""
    from dedup.text.segment import sentence_spans

    text = f"We met{space}Dr. Smith at noon. He{space}left."
    assert [text[s:e] for s, e in sentence_spans(text)] == [f"We met{space}Dr. Smith at noon.", f"He{space}left."]


_PLAIN_BOUNDARY = re.compile(r"[.!?]+['\")\]]*(?=\s+(?:['\"(\[\u00a1\u00bf] ?|- )?[^\s\W_]|\s*$|[\u3040-\u30ff\u4e00-\u9fff])"
                             r"|[\u3002\uff01\uff1f\u0964\u0965\u06d4\u061f\u0589\u1362\u104b\u17d4\u0f0d]+"
                             r"[\u300d\u300f)\"']*")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab A1_é.!?\u3002\uff01\uff1f\u0964\u061f'\")]([ \t\u00a0\u00a1\u00bf-\u300d\u4e2d\u306e",
               max_size=30))
def test_the_sentence_end_pattern_finds_what_its_plain_form_finds(text):
    """``_BOUNDARY`` starts with one set of every end mark (so the regex engine skips to the next in C); it finds
    exactly the ends the plain alternation of the two runs finds, at the same places."""
    from dedup.text.segment import _BOUNDARY

    assert [m.span() for m in _BOUNDARY.finditer(text)] == [m.span() for m in _PLAIN_BOUNDARY.finditer(text)]


def test_shared_words_finds_each_texts_words_once_and_lets_them_go(monkeypatch):
    from dedup.text import words as words_module

    found = []
    real = words_module._words
    monkeypatch.setattr(words_module, "_words", lambda text: found.append(text) or real(text))
    texts = ["The U.S. said so.", "Another line here", "The U.S. said so."]
    with words_module.shared_words(limit=2):
        first = [words_module.words(t) for t in texts]
        first[0].append("changed")  # a caller's copy: the memo keeps its own
        again = [words_module.words(t) for t in texts]
        words_module.words("a third text")  # past the limit: found, not kept
        words_module.words("a third text")
    assert found == ["The U.S. said so.", "Another line here", "a third text", "a third text"]
    assert again[0] == ["the", "us", "said", "so"] and again == [real(t) for t in texts]
    words_module.words("Another line here")  # after the block, nothing is kept
    assert found[-1] == "Another line here" and len(found) == 5


def test_a_detect_finds_each_paragraphs_words_once(monkeypatch, article_text):
    """The shingles, the pair features and the model read the same paragraphs' and sentences' words: within one
    ``detect`` each text's are found once."""
    from dedup import Detector
    from dedup.text import words as words_module

    found = []
    real = words_module._words
    monkeypatch.setattr(words_module, "_words", lambda text: found.append(text) or real(text))
    report = Detector().detect(article_text)
    assert report.matches and found and len(found) == len(set(found))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(list("ab AZ1é.!?\u3002'\")([ \t\u00a0İ") + ["Mr", "no", "U.S", "e.g", "J", " 5"]),
                max_size=30).map("".join))
def test_a_line_splits_where_every_end_mark_asked_ends_sentence_splits_it(line):
    """``_split_line`` decides a word before a period without asking ``_ends_sentence``: it splits each line as
    asking it at every end mark does."""
    from dedup.text import segment as seg

    expected, start = [], 0
    for match in seg._BOUNDARY.finditer(line):
        if seg._ends_sentence(line, match):
            seg._add_trimmed(line, start, match.end(), 7, expected)
            start = match.end()
    seg._add_trimmed(line, start, len(line), 7, expected)
    found = []
    seg._split_line(line, 7, found)
    assert found == expected
