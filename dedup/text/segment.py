"""Normalize text and segment it into paragraphs and sentences.

A paragraph is a block separated by one or more blank lines; a text with no
blank line at all is read as one paragraph per line. Inside a block, a single
newline ends a sentence (a title line followed by a standfirst) unless the
block looks hard-wrapped, in which case its lines are joined.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

from dedup.records import Paragraph, Sentence
from dedup.text.words import NO_SPACE_SCRIPTS, NON_ASCII_ENDS

_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ", "\u200b": "", "\ufeff": "",
    }
)
# The map as a regex: ``str.translate`` with a dict looks up every character of a non-ASCII text (100 us a
# 2 KB article); the regex scans in C and calls back only where a character is mapped.
_PUNCT = re.compile("[" + re.escape("".join(map(chr, _PUNCT_MAP))) + "]")
_PUNCT_TEXT = {chr(k): v if isinstance(v, str) else "" if v is None else chr(v) for k, v in _PUNCT_MAP.items()}
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")

# Tokens that end with a period without ending the sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep
    pres rev hon messrs mme mlle vs etc al approx dept est inc ltd co corp bros
    jan feb mar apr jun jul aug sep sept oct nov dec fig eq vol ch pp cf e.g i.e
    a.m p.m ca mio mrd bzw usw vgl ggf evtl sig sra srta dhr dott ing млн млрд тыс руб""".split()
)
# Abbreviations only as written in lower case: "ca. 1850" (circa), not "Sacramento, CA. The ..." (California).
_LOWER_CASE_ONLY = frozenset({"ca", "sig", "ing"})
# "No. 5" and "Art. 3": abbreviations only when a number follows.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "p", "op", "para", "sec", "nr"})
# Month names after a day written as an ordinal ("am 5. März", "op 3. maart"): no sentence ends at the day's
# period. Only names English lacks: "on page 5. April was ..." still ends one.
_ORDINAL_MONTHS = frozenset("""januar jänner februar märz mai juni juli oktober dezember januari februari maart mei
    juli augustus oktober mars desember""".split())
# Tokens before a period that ``_ends_sentence`` must look at (any other word of two or more characters ends it).
_UNDECIDED = ABBREVIATIONS | _NUMBER_ABBREVIATIONS
_LONGEST_UNDECIDED = max(map(len, _UNDECIDED))
_WINDOW = 256  # characters searched back for a space before the lookup by bisection
# Words that start a new sentence after an acronym such as "U.S.".
_SENTENCE_STARTERS = frozenset(
    """the a an he she it they we i you this that these those there but and
    however in on at for if when while after before as so yet meanwhile""".split()
)
# A sentence end: a run of ASCII end marks and closing quotes before a space and a word (or the line's end), or
# a run of the other end marks (CJK, the danda, ...: ``words.ENDS``), which end a sentence as they are. Written to
# start with one set of every end mark, so the regex engine skips ahead to the next one in C (an alternation of two
# runs had it try the whole pattern at every character: 3x slower).
# What may open the next sentence before its first letter: a quote or bracket, Spanish's "¡" and "¿", then maybe
# a space (French writes "« Le", normalized to '" Le'); or a dialogue dash and a space ("Первое. — Второе."). A
# Chinese or Japanese character needs no space before it ("続いた！運賃": NFKC made the "！" a "!"). The other end
# marks take the closing brackets of CJK quotations with them ("「…。」": the "」" closes this sentence).
_OPENERS = "'\"(\\[\u00a1\u00bf"
_CJK_CLOSERS = "\u300d\u300f\u3011\u3015\u3009\u300b)\"'"
_OTHER_ENDS = "\uff01\uff1f" + NON_ASCII_ENDS
# A run of marks is read from its first: one that failed there fails at every later mark (the same context
# follows it), and reading each again made a run of N marks before a letter take N² steps (20,000: 25 s).
_BOUNDARY = re.compile(rf"[.!?{_OTHER_ENDS}](?:(?<=[.!?])(?<![.!?]{{2}})[.!?]*+['\")\]]*"
                       rf"(?=\s+(?:[{_OPENERS}] ?|- )?[^\s\W_]|\s*$|[{NO_SPACE_SCRIPTS}])"
                       rf"|(?<=[{_OTHER_ENDS}])[{_OTHER_ENDS}]*[{_CJK_CLOSERS}]*)")
_NEXT_TOKEN = re.compile(r"\s+['\"(\[]?(\S+)")
_ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$")
_HARD_WRAP_MIN_LINES = 3
_HARD_WRAP_MIN_WIDTH = 50


def lf_line_ends(text: str) -> str:
    """``text`` with CRLF and lone CR line ends made LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize(text: str) -> str:
    """NFKC, plain quotes and dashes, LF line ends, runs of spaces folded to one."""
    text = lf_line_ends(text)
    # The map first (it deletes zero-width characters, so a combining mark they held apart composes
    # under NFKC, and normalize is idempotent), then again for what NFKC itself turns into mapped characters.
    text = map_punctuation(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = map_punctuation(unicodedata.normalize("NFKC", text))
    # Runs of spaces folded and ends stripped by str.split (the same whitespace as the regex \s, in C).
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(lines).strip()


def map_punctuation(text: str) -> str:
    """Curly quotes, dashes and odd spaces as ASCII (``text.translate(_PUNCT_MAP)``), ``normalize``'s first step."""
    return _PUNCT.sub(lambda m: _PUNCT_TEXT[m.group()], text)


def split_paragraphs(text: str) -> list[str]:
    """Split normalized text into paragraph blocks (see module docstring)."""
    text = text.strip()
    if not text:
        return []
    if _BLANK_LINES.search(text):
        blocks = _BLANK_LINES.split(text)
    else:
        blocks = text.split("\n")
    # Each block stripped once: a second strip() held another copy of a 200 MB single-line text.
    return [b for b in map(str.strip, blocks) if b]


def _is_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < _HARD_WRAP_MIN_LINES:
        return False
    body = lines[:-1]
    long_lines = sum(len(line) >= _HARD_WRAP_MIN_WIDTH for line in body)
    open_ends = sum(not line.rstrip().endswith((".", "!", "?", ":", '"', "'")) for line in body)
    return long_lines >= 0.8 * len(body) and open_ends >= 0.5 * len(body)


def _last_token(text: str, end: int) -> str | None:
    """The run of non-space characters that ends at ``end`` (what ``(\\S+)$`` finds in ``text[:end]`` of a
    line, which holds no newline), or None: read backwards from ``end``, where that regex tried every
    position of a window before it."""
    token = text[text.rfind(" ", 0, end) + 1:end]
    # Every whitespace character but the ASCII space is unprintable: a printable token holds none, and is the
    # run (the common case, in C); otherwise it is read backwards a character at a time.
    if token.isprintable():
        return token or None
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end] if start < end else None


def _ends_sentence(text: str, match: re.Match) -> bool:
    """Decide whether the punctuation run ``match`` ends a sentence."""
    group = match.group()
    if not group.startswith(".") or group.startswith(".."):
        return True
    last = _last_token(text, match.start())
    if last is None:
        return True
    written = last.lstrip("'\"([")
    token = written.lower()
    if token in ABBREVIATIONS and not (token in _LOWER_CASE_ONLY and written != token):
        return False
    if token in _NUMBER_ABBREVIATIONS and _next_word(text, match)[:1].isdigit():
        return False
    if token.isdigit() and len(token) <= 2 and _next_word(text, match).lower() in _ORDINAL_MONTHS:
        return False  # "am 5. März": a date, not a sentence's end
    # Only a token of one letter or starting "x." can be an acronym (most tokens are words: no regex for them).
    if (len(token) == 1 or token[1:2] == ".") and _ACRONYM.match(token + "."):
        # Initials ("J.D.", "J.") and acronyms ("U.S.") usually continue the
        # sentence, unless a typical sentence opener follows.
        return _next_word(text, match).strip("'\",").lower() in _SENTENCE_STARTERS
    return True


def _next_word(text: str, match: re.Match) -> str:
    following = _NEXT_TOKEN.match(text, match.end())
    return following.group(1) if following else ""


def _split_line(line: str, offset: int, spans: list[tuple[int, int]]) -> None:
    """Append the spans (plus ``offset``) of the sentences of one line, blank edges trimmed.

    ``_ends_sentence`` is asked only where a period follows a word that may be an abbreviation or an initial
    (any other end mark ends the sentence): a corpus scan's reuse alignment splits every sentence of the texts it
    aligns, and asking at every end mark made the splitting a fifth slower."""
    start = 0
    # The word before a period runs back to the last space: in Chinese or Japanese with "." or "．" that is the
    # whole line so far, and reading it anew at every period made a paragraph's splitting quadratic (40,000
    # sentences: 51 s). The spaces are looked up by bisection past a window, and a run's printability is carried
    # from one period to the next.
    spaces: list[int] | None = None
    run_start, run_end, printable = -1, -1, True
    for match in _BOUNDARY.finditer(line):
        at, end = match.span()
        if line[at] == "." and (end - at < 2 or line[at + 1] != "."):  # a period: an abbreviation or initial?
            if spaces is None:
                word_start = line.rfind(" ", max(0, at - _WINDOW), at) + 1
                if not word_start and at > _WINDOW:  # a long run without spaces: the line's spaces found once
                    spaces = [m.start() for m in re.finditer(" ", line)]
            if spaces is not None:
                before = bisect_left(spaces, at)
                word_start = spaces[before - 1] + 1 if before else 0
            if word_start == run_start and at >= run_end:
                printable = printable and line[run_end:at].isprintable()
            else:
                printable = line[word_start:at].isprintable()
            run_start, run_end, length = word_start, at, at - word_start
            if not printable or length < 3 or line[word_start + 1] == "." or not line[word_start].isalnum() \
                    or (length <= _LONGEST_UNDECIDED and line[word_start:at].lower() in _UNDECIDED):
                if not _ends_sentence(line, match):
                    continue
        _add_trimmed(line, start, end, offset, spans)
        start = end
    _add_trimmed(line, start, len(line), offset, spans)


def _add_trimmed(line: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    """Append ``line[start:end]`` less its blank edges, as a span plus ``offset``, unless it is all blank."""
    chunk = line[start:end]
    kept = chunk.lstrip()
    if kept:
        start += len(chunk) - len(kept)
        spans.append((start + offset, start + len(kept.rstrip()) + offset))


def sentence_spans(block: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each sentence of one paragraph block (``split_sentences`` without the texts)."""
    lines = block.split("\n")
    spans: list[tuple[int, int]] = []
    if _is_hard_wrapped(lines):
        _split_line(block.replace("\n", " "), 0, spans)
    else:
        offset = 0
        for line in lines:
            _split_line(line, offset, spans)
            offset += len(line) + 1
    return spans


def one_sentence(line: str) -> bool:
    """Whether ``split_sentences`` of a line (no newline, no blank edges) gives the line itself, told without
    splitting it: the first place a sentence could end is its end, or there is none."""
    end = _BOUNDARY.search(line)
    return end is None or end.end() == len(line)


def split_sentences(block: str) -> list[Sentence]:
    """Split one paragraph block into sentences with spans into ``block``."""
    return [Sentence(block[s:e], s, e) for s, e in sentence_spans(block)]


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def paragraph_spans(text: str) -> list[tuple[int, int]] | None:
    """Where each paragraph of ``segment(text)`` lies in ``text`` as given: ``(start, end)`` of its lines, from
    the first line's start to the last line's end (line ends excluded), so that a paragraph can be cut out of
    the text and everything else kept byte for byte (``dedup clean``). None where the blocks of the text as
    given cannot be told to be ``segment``'s (it is checked, not assumed).

    ``normalize`` works line by line (line ends unified, characters mapped, spaces folded inside a line), so
    a line of the text is blank when its normalized form is empty, and a paragraph is a run of lines between
    blank ones, or one line where the text has no blank line between two others, as ``split_paragraphs``
    splits the normalized text.
    """
    lines, start = [], 0
    for found in _LINE_BREAK.finditer(text):
        lines.append((start, found.start()))
        start = found.end()
    lines.append((start, len(text)))
    normalized = [normalize(text[s:e]) for s, e in lines]
    full = [k for k, line in enumerate(normalized) if line]
    if not full:
        return []
    by_blank_lines = any(full[k + 1] - full[k] > 1 for k in range(len(full) - 1))
    runs: list[list[int]] = []
    for k in full:
        if by_blank_lines and runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    blocks = [("\n".join(normalized[k] for k in run), (lines[run[0]][0], lines[run[-1]][1])) for run in runs]
    paragraphs = split_paragraphs(normalize(text))
    if [block for block, _ in blocks] != paragraphs:
        return None
    return [span for _, span in blocks]


def segment(text: str) -> list[Paragraph]:
    """Normalize ``text`` and return its paragraphs, each with its sentences."""
    return [
        Paragraph(index=i, text=block, sentences=tuple(split_sentences(block)))
        for i, block in enumerate(split_paragraphs(normalize(text)))
    ]
