"""Quantities stated in a text, normalised: "$2.1 billion", "a little over two billion dollars", "52 percent",
"roughly half", "160 millimetres", "sixteen centimetres", "a dozen", "twelve thousand".

A reworded restatement rarely keeps the words of the claim, but it keeps the claim's amounts, rounded or spelled
out ("a fee of €38 million" / "a sum a little under forty million euros"). This module reads each amount as a
value in a canonical unit (money per currency, a share as a fraction, lengths in metres, durations in hours) with
whether it was stated roughly, so the confirm stage can ask whether two texts agree on how much (``agree``).

It reads English only, and only what news writes: digits with thousands separators and decimals, number words
up to the trillions ("twenty-seven", "four-billion-dollar", "a hundred and twelve thousand"), race times
("2:03:41"), "a dozen", "a pair of", fractions ("half", "a quarter", "one-seventh", "two thirds"), currency signs
and names, percentages, common units of length and time, and the hedges that make an amount approximate
("about", "nearly", "a little under", "more than"). Years ("in 2022") are calendar years; vote tallies ("9-4")
are plain numbers.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

from dedup.text.number_kinds import (
    YEAR,
    coarser_step,
    code_key,
    code_span,
    day_of_month,
    in_date,
    last_digit_step,
    ordinal,
    time_of_day,
    year_range_end,
    zip_code,
)

__all__ = ["Quantity", "quantities", "agree", "may_state_amount"]


@dataclass(frozen=True)
class Quantity:
    """One amount of a text.

    ``value`` is in the canonical unit of ``unit``: ``""`` (a count), ``"usd"``/``"eur"``/``"gbp"``/``"money"``
    (a currency unnamed), ``"share"`` (a fraction: 52 percent is 0.52), ``"m"`` (metres), ``"h"`` (hours, for
    any duration), ``"year"`` (a calendar year: "in 2022").
    A code is ``"code"`` (its value a checksum of its letters and digits: "(919) 968-4610", "AD-508"), a time of
    day ``"clock"`` (minutes past midnight: "7:30 pm" is 1170) and a day of the month beside its month's name
    ``"date"`` ("15 December"); a date written in figures ("2008-04-01") is no amount.
    ``rough`` is True when the text hedges it ("about", "nearly") or writes a round number in words ("forty",
    "five million"), which a writer uses for a nearby exact amount. ``start``/``end`` are character offsets
    of the amount in the text. ``bound`` is ``"over"`` for an amount stated as a floor ("more than", "well
    over", "at least") and ``"under"`` for a ceiling ("nearly", "less than", "just under"), else ``""``.
    """

    value: float
    unit: str
    rough: bool
    start: int
    end: int
    bound: str = ""


_ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "bn": 1_000_000_000, "mn": 1_000_000}
_SCALE_WORDS = ("hundred", "thousand", "million", "billion", "trillion")  # "a hundred", "a million": one of them
_SHORT_SCALES = {"m": 1_000_000, "k": 1_000}  # only right after a currency amount ("$38m")
_FRACTIONS = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fifth": 1 / 5, "sixth": 1 / 6, "seventh": 1 / 7,
              "eighth": 1 / 8, "ninth": 1 / 9, "tenth": 1 / 10}
_WORD_VALUES = {"dozen": 12, "pair": 2, "couple": 2, **_FRACTIONS}
_SHARE_WORDS = frozenset(_FRACTIONS)
_CURRENCY_SIGNS = {"$": "usd", "€": "eur", "£": "gbp"}
CURRENCIES = frozenset(_CURRENCY_SIGNS.values())  # named currencies; "money" is one unnamed
_UNCONVERTED = CURRENCIES | {"", "money", "share"}  # units whose figures are as written
_CURRENCY_WORDS = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "pound": "gbp",
                   "pounds": "gbp", "sterling": "gbp"}
_PERCENT = frozenset({"percent", "pct", "percentage"})
_UNITS = {  # unit word -> (canonical unit, factor)
    **{w: ("m", 0.001) for w in ("millimetre", "millimetres", "millimeter", "millimeters", "mm")},
    **{w: ("m", 0.01) for w in ("centimetre", "centimetres", "centimeter", "centimeters", "cm")},
    **{w: ("m", 1.0) for w in ("metre", "metres", "meter", "meters")},
    **{w: ("m", 1000.0) for w in ("kilometre", "kilometres", "kilometer", "kilometers", "km")},
    **{w: ("m", 1609.344) for w in ("mile", "miles")},
    **{w: ("h", 1 / 3600) for w in ("second", "seconds", "sec", "secs")},
    **{w: ("h", 1 / 60) for w in ("minute", "minutes")},
    **{w: ("h", 1.0) for w in ("hour", "hours")},
    **{w: ("h", 24.0) for w in ("day", "days")},
    **{w: ("h", 168.0) for w in ("week", "weeks")},
    **{w: ("h", 730.5) for w in ("month", "months")},
    **{w: ("h", 8766.0) for w in ("year", "years")},
}
# Hedges before an amount: the writer rounds it.
_HEDGES = frozenset("about around roughly nearly almost approximately some over under more less fewer close "
                    "just little well upwards".split())
# Hedges that state an amount as a floor or a ceiling: "well over a million" is 1.3 million, "nearly forty" 38.
_FLOORS = frozenset("over more upwards least above exceeding".split())
_CEILINGS = frozenset("under less fewer nearly almost below".split())
_NUMERAL = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\d*\.\d+")
_CLOCK = re.compile(r"\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?")  # a race time, "2:03:41" (read as hours)
_DURATION_PARTS = 4  # days, hours, minutes and seconds of one duration (``_duration_parts``)
# What may stand between a hedge and its amount: spaces and a currency sign ("about $5"), not a full stop or a
# bracket ("remove more. -- 06:32", "or more (11 percent").
_HEDGE_GAP = re.compile(r"[\s$€£]*")
# Race times, numerals and runs of letters: "four-billion" is two pieces.
_PIECE = re.compile(rf"{_CLOCK.pattern}|{_NUMERAL.pattern}|[^\W\d_]+")
# The words an amount may start with; a lower-cased text holds an amount only where it has a digit or one of
# them (the pattern is a trie of their letters: an alternation of 40 words scanned every text slowly).
_STARTERS = frozenset({*_ONES, *_TENS, *_WORD_VALUES, *_SCALE_WORDS})


def _trie_pattern(words: frozenset[str]) -> str:
    """A regular expression matching exactly ``words``, factored by common prefixes."""
    heads: dict[str, set[str]] = {}
    for word in words:
        heads.setdefault(word[0], set()).add(word[1:])
    parts = []
    for head, tails in sorted(heads.items()):
        rest = {t for t in tails if t}
        inner = _trie_pattern(frozenset(rest)) if rest else ""
        parts.append(re.escape(head) + (f"(?:{inner})" + ("?" if "" in tails else "") if rest else ""))
    return "|".join(parts)


_TRIGGER = re.compile(rf"\d|\b(?:{_trie_pattern(_STARTERS)})")
_NUMBER_WORDS = frozenset({*_ONES, *_TENS})
_COUNT_ENDS = frozenset({*_NUMBER_WORDS, *_WORD_VALUES, *_SCALE_WORDS})  # the last word of a count in words
# How far apart two amounts may be and still agree: a writer's rounding ("nearly forty" for 38, "roughly half"
# for 52 percent, "a little over two billion" for 2.1 billion) stays within about a fifth.
EXACT_TOLERANCE = 0.005
ROUGH_TOLERANCE = 0.2
CLOCK_TOLERANCE = 30.0  # minutes between a time of day stated roughly ("around 4:30 pm") and one that agrees


# Every ASCII character but a letter, as a space: an ASCII text's words as ``_PIECE`` reads its letters.
_ASCII_NOT_LETTERS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalpha()})
# Words without which a number in words is a whole count up to 12 without a unit: a number past twelve, a
# scale, a fraction ("two thirds", "and a half"), a currency, a share or a unit.
_SPECIFIC_WORDS = frozenset({*(w for w, v in _ONES.items() if v > 12), *_TENS, *_SCALES, *_FRACTIONS,
                             *(f + "s" for f in _FRACTIONS), *_CURRENCY_WORDS, *_PERCENT, "cent", *_UNITS})


def may_state_amount(text: str, specific: bool = False) -> bool:
    """Whether ``quantities(text)`` may find an amount: False only where it finds none (a text without a digit
    or a word an amount starts with); with ``specific``, one with a unit, past 12 or not whole
    (``confirm.agreement.specific``'s amounts): an ASCII text without a digit then needs a word or a sign
    that makes one too (``_SPECIFIC_WORDS``, "$", "%"). Cheaper than reading the amounts on ASCII text
    (``str`` methods, not a regex), for screening many texts (``article.screen``)."""
    if not text.isascii():
        return _TRIGGER.search(text.lower()) is not None
    if ("0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text or "6" in text
            or "7" in text or "8" in text or "9" in text):  # ten substring tests: a generator's calls cost more
        return True
    words = text.lower().translate(_ASCII_NOT_LETTERS).split()
    starting = _STARTERS.intersection(words)  # a scan of the words, as ``isdisjoint`` makes where none is found
    if not starting:
        return False
    if not specific or "$" in text or "%" in text or not _SPECIFIC_WORDS.isdisjoint(words):
        return True
    # "one in six" is a share: two number words at least, looked for only then.
    return len(starting & _NUMBER_WORDS) >= 2 and _share_in_words(words)


def _share_in_words(words: list[str]) -> bool:
    """Whether ``words`` (a text's, lower case, punctuation dropped) may hold "N in M" or "N out of M" in words,
    which ``quantities`` reads as a share: each "in" and "out" found by ``list.index``, not a pattern."""
    for sep, whole_at in (("in", 1), ("out", 2)):
        j = 0
        while True:
            try:
                j = words.index(sep, j + 1)
            except ValueError:
                break
            k = j + whole_at
            if k < len(words) and words[j - 1] in _COUNT_ENDS and words[k] in _NUMBER_WORDS \
                    and (sep == "in" or words[j + 1] == "of"):
                return True
    return False


def quantities(text: str) -> list[Quantity]:
    """The amounts ``text`` states, in order (see the module's docstring for what is read).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Quantity
    """
    # Amounts are read from their own pieces, not the shared tokenizer's words, which keep no decimal point
    # or thousands separator ("4.7" is its word "47") and hold hyphenated amounts whole.
    lowered = text.lower()
    if _TRIGGER.search(lowered) is None:  # most paragraphs of most documents state no amount: one scan in C
        return []
    spans = [(m.group(), m.start(), m.end()) for m in _PIECE.finditer(lowered)] if len(lowered) == len(text) \
        else [(m.group().lower(), m.start(), m.end()) for m in _PIECE.finditer(text)]
    found: list[Quantity] = []
    i = 0
    while i < len(spans):
        word = spans[i][0]
        read = _amount(text, spans, i) if word[0].isdigit() or word in _STARTERS else None
        if read is None:
            i += 1
            continue
        quantity, i = read
        found.append(quantity)
    return found


def agree(a: Quantity, b: Quantity) -> bool:
    """Whether two amounts can state the same quantity: the same unit (a currency unnamed agrees with any currency)
    and values within ``EXACT_TOLERANCE`` of each other, or ``ROUGH_TOLERANCE`` when either is stated roughly."""
    if a.unit != b.unit and not ("money" in (a.unit, b.unit) and {a.unit, b.unit} <= CURRENCIES | {"money"}):
        return False
    if a.unit == "code":  # a telephone number, a form's or a model's: the same or another
        return a.value == b.value
    if a.unit == "clock":  # minutes past midnight: a rough time of day is within half an hour, not a fifth
        return abs(a.value - b.value) <= (CLOCK_TOLERANCE if a.rough or b.rough else 0)
    if not (math.isfinite(a.value) and math.isfinite(b.value)):  # a numeral of hundreds of digits: no tolerance
        return a.value == b.value
    tolerance = ROUGH_TOLERANCE if a.rough or b.rough else EXACT_TOLERANCE
    high = max(abs(a.value), abs(b.value))
    # Two roundings of one count or sum differ by a step of the coarser at most ("about 38 million", "forty million").
    if a.rough and b.rough and not (a.bound or b.bound) and a.unit in CURRENCIES | {"", "money"} and abs(
            a.value - b.value) > coarser_step(a.value, b.value):
        return False  # "around 12,000" / "around 15,000 homes": two figures (units converted, fractions: not read so)
    if not (a.rough or b.rough or a.bound or b.bound) and a.unit in _UNCONVERTED and \
            abs(a.value - b.value) > coarser_step(a.value, b.value) / 2:  # (miles and km, a year and days: converted)
        return False  # exact figures agree as one rounded from the other: "order 12399" is no "order 12345"
    return high == 0 or abs(a.value - b.value) <= tolerance * high or _within_bound(a, b) or _within_bound(b, a)


def _within_bound(a: Quantity, b: Quantity) -> bool:
    """Whether ``b``'s value lies within the range ``a`` states as a floor or a ceiling: from the floor up to the
    next round figure at its last significant digit ("more than a million": below two million; "more than 1.5
    million": below 1.6 million), or from the ceiling down to the one before ("nearly forty": above thirty)."""
    if not a.bound or a.value <= 0:
        return False
    step = last_digit_step(a.value)
    low, high = (a.value, a.value + step) if a.bound == "over" else (a.value - step, a.value)
    slack = EXACT_TOLERANCE * a.value
    return low - slack <= b.value <= high + slack


def _amount(text: str, spans: list, i: int, compound: bool = True) -> tuple[Quantity, int] | None:
    """The amount starting at word ``i`` and the index of the word after it, or None (``compound``: a duration
    may go on with smaller parts, "1 minute 12 seconds")."""
    word, start, end = spans[i]
    if word[0].isdigit() or word[0] == ".":
        if in_date(text, start, end) or zip_code(text, start, end):
            return None  # a date in figures, a zip code (``number_kinds``)
        code = code_span(text, start, end)
        if code is not None:  # read whole: it agrees only with the same code
            key = zlib.crc32(code_key(text[code[0]:code[1]]).encode())
            j = i + 1
            while j < len(spans) and spans[j][1] < code[1]:
                j += 1
            return Quantity(float(key), "code", False, code[0], code[1]), j
    if _CLOCK.fullmatch(word):
        if time_of_day(word, spans, i):  # minutes past midnight: times of day agree or conflict only as such
            hour, minute = (int(part) for part in word.split(":")[:2])
            after = spans[i + 1][0] if i + 1 < len(spans) else ""
            hour = hour % 12 + (12 if after in ("pm", "p") else 0) if after in ("am", "a", "pm", "p") else hour
            return Quantity(60.0 * hour + minute, "clock", _hedged(text, spans, i), start, spans[i][2]), i + 1
        hours = sum(float(part) / 60 ** k for k, part in enumerate(word.split(":")))
        return Quantity(hours, "h", _hedged(text, spans, i), start, spans[i][2]), i + 1
    if year_range_end(text, spans, i):  # "1730-54", "1939–45": the end of a range of years
        return Quantity(float(word), "year", False, start, spans[i][2]), i + 1
    if day_of_month(word, spans, i):  # "15 December", "Dec 15th", "1 April 2008": a calendar date
        return Quantity(float(word), "date", False, start, spans[i][2]), i + 1
    if ordinal(word, spans, i):  # "17th Regiment", "the 22nd": a rank, not an amount
        return None
    if _NUMERAL.fullmatch(word):
        value, j, spelled = float(word.replace(",", "")), i + 1, False
    elif word in _ONES or word in _TENS:
        value, j = _spelled(spans, i)
        spelled = True
    elif word in _SCALE_WORDS and i > 0 and spans[i - 1][0] == "a":  # "a hundred and twelve", "a million"
        value, j = _spelled(spans, i, 1)
        spelled, start = True, spans[i - 1][1]
    elif word in _WORD_VALUES and _article_before(spans, i):
        value, j, spelled = _WORD_VALUES[word], i + 1, False
        if word == "pair" or word == "couple":
            j += 1 if j < len(spans) and spans[j][0] == "of" else 0
        if word in _SHARE_WORDS:
            return Quantity(value, "share", True, start, spans[i][2], _bound(text, spans, i)), j
    else:
        return None
    fraction = _FRACTIONS.get(spans[j][0].removesuffix("s")) if j < len(spans) else None
    if fraction and value < 10:  # "one-seventh", "two thirds": a share
        return Quantity(value * fraction, "share", True, start, spans[j][2]), j + 1
    if [w for w, _, _ in spans[j:j + 3]] == ["and", "a", "half"]:  # "two and a half thousand"
        value, j = value + 0.5, j + 3
    scale, j = _scale(spans, j)
    value *= scale
    unit, factor, j, end = _unit(text, spans, i, j)
    rough = _hedged(text, spans, i) or (spelled and _round(value))
    value *= factor
    if unit == "h" and compound:  # "two hours and four minutes", "1 minute 12 seconds": one duration
        value, end, j = _duration_parts(text, spans, value, end, j)
    if unit == "" and j + 1 < len(spans) and spans[j][0] in ("in", "out"):
        share = _share_of(text, spans, j, value)  # "four in ten", "nine out of ten": a share, said roughly
        if share is not None:
            value, end, j = share
            return Quantity(value, "share", True, _sign_start(text, start), end, _bound(text, spans, i)), j
    return Quantity(value, unit, rough, _sign_start(text, start), end, _bound(text, spans, i)), j


def _duration_parts(text: str, spans: list, value: float, end: int, j: int) -> tuple[float, int, int]:
    """A duration of ``value`` hours ending at word ``j`` with the smaller parts that follow it added (days,
    hours, minutes, seconds: at most ``_DURATION_PARTS`` in all, each under the one before): (value, end offset,
    next word). Each part is read on its own, so a text of a thousand "1 minute 12 seconds and" reads in one
    pass, not in a call a part deep."""
    last = value
    for _ in range(_DURATION_PARTS - 1):
        if j >= len(spans) or not (spans[j][0] == "and" or spans[j][0][0].isdigit()):
            break
        at = j + 1 if spans[j][0] == "and" else j
        if at >= len(spans):  # "two hours and" ends the text
            break
        part = _amount(text, spans, at, compound=False)
        if part is None or part[0].unit != "h" or not part[0].value < last:
            break
        last = part[0].value
        value, end, j = value + last, part[0].end, part[1]
    return value, end, j


def _share_of(text: str, spans: list, j: int, value: float) -> tuple[float, int, int] | None:
    """(share, end offset, next word) of "N in M" / "N out of M" at word ``j`` (its "in" or "out"), for a count
    ``value`` under a whole ``M`` of at most 100 (not "3 in 2019"), else None."""
    k = j + 1 if spans[j][0] == "in" else (j + 2 if [w for w, _, _ in spans[j:j + 2]] == ["out", "of"] else 0)
    if not k or k >= len(spans) or not (spans[k][0] in _ONES or spans[k][0] in _TENS or spans[k][0].isdigit()):
        return None
    whole, after = _spelled(spans, k) if not spans[k][0].isdigit() else (float(spans[k][0]), k + 1)
    if not value < whole <= 100 or (after < len(spans) and (spans[after][0] in _SCALES or spans[after][0] in _UNITS
                                                            or spans[after][0] in _PERCENT)):
        return None
    return value / whole, spans[after - 1][2], after


def _spelled(spans: list, i: int, value: int = 0) -> tuple[float, int]:
    """A number in words from word ``i`` ("twenty", "seven" -> 27; "sixty-one" arrives as two pieces; "one
    hundred and twelve" -> 112, the British "and"); ``value`` 1 reads "a hundred" from "hundred"."""
    j = i
    while j < len(spans):
        word = spans[j][0]
        if word in _TENS and value % 100 == 0:
            value += _TENS[word]
        elif word in _ONES and (value % 100 == 0 or (value % 100 >= 20 and value % 10 == 0 and _ONES[word] < 10)):
            value += _ONES[word]  # "seven", "twenty-seven", "a hundred and twelve"; not "ten ten" (20)
        elif word == "hundred" and 0 < value < 100:
            value *= 100
        elif (word == "and" and value >= 100 and value % 100 == 0 and j + 1 < len(spans)
              and (spans[j + 1][0] in _ONES or spans[j + 1][0] in _TENS) and spans[j + 1][0] != "zero"):
            pass  # "a hundred and twelve": the number goes on
        else:
            break
        j += 1
    return float(value), j


def _scale(spans: list, j: int) -> tuple[float, int]:
    scale = 1.0
    while j < len(spans) and spans[j][0] in _SCALES and spans[j][0] != "hundred":
        scale *= _SCALES[spans[j][0]]
        j += 1
    return scale, j


def _unit(text: str, spans: list, i: int, j: int) -> tuple[str, float, int, int]:
    """(unit, factor to its canonical unit, next word, end offset) of the amount at words ``i``..``j``."""
    end = spans[j - 1][2]
    sign = text[spans[i][1] - 1:spans[i][1]] if spans[i][1] > 0 else ""
    currency = _CURRENCY_SIGNS.get(sign)
    if currency and j < len(spans) and spans[j][0] in _SHORT_SCALES and spans[j][1] == end:
        factor = _SHORT_SCALES[spans[j][0]]
        return currency, factor, j + 1, spans[j][2]
    if currency:
        return currency, 1.0, j, end
    if text[end:end + 1] == "%":
        return "share", 0.01, j, end + 1
    word = spans[j][0] if j < len(spans) else ""
    if word in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[word], 1.0, j + 1, spans[j][2]
    if word in _PERCENT:
        return "share", 0.01, j + 1, spans[j][2]
    if word == "per" and j + 1 < len(spans) and spans[j + 1][0] == "cent":
        return "share", 0.01, j + 2, spans[j + 1][2]
    if word in _UNITS:
        unit, factor = _UNITS[word]
        return unit, factor, j + 1, spans[j][2]
    if YEAR.fullmatch(spans[i][0]) and j == i + 1:
        return "year", 1.0, j, end  # a calendar year ("in 2022", "the mid-1980s") counts nothing
    return "", 1.0, j, end


def _bound(text: str, spans: list, i: int) -> str:
    """``"over"`` or ``"under"`` where the hedge before the amount (``_hedged``) states it as a floor or a
    ceiling, else ``""``."""
    near = {spans[k][0] for k in range(max(i - 2, 0), i)}
    if _FLOORS.isdisjoint(near) and _CEILINGS.isdisjoint(near):  # most amounts: no hedge, the gaps not read
        return ""
    before = _hedge_words(text, spans, i)
    if not _FLOORS.isdisjoint(before) and (before[-1] != "least" or before[:1] == ["at"]):
        return "over"
    return "under" if not _CEILINGS.isdisjoint(before) else ""


def _hedge_words(text: str, spans: list, i: int) -> list[str]:
    """The (up to two) words before the amount with nothing but spaces (and a currency sign) between them."""
    before: list[str] = []
    for k in range(i - 1, max(i - 2, 0) - 1, -1):
        if _HEDGE_GAP.fullmatch(text, spans[k][2], spans[k + 1][1]) is None:
            break
        before.insert(0, spans[k][0])
    return before


def _hedged(text: str, spans: list, i: int) -> bool:
    """Whether one of the two words before the amount hedges it ("about", "a little under", "more than"), with
    nothing but spaces (and a currency sign) between them."""
    before = _hedge_words(text, spans, i)
    return any(w in _HEDGES for w in before) or (len(before) == 2 and before[-1] == "than")


def _round(value: float) -> bool:
    """One significant figure, or a whole number of tens below a hundred: what a writer rounds to."""
    if value <= 12:
        return False  # small counts are exact ("four countries")
    digits = f"{value:.0f}".rstrip("0")
    return len(digits) <= 1


def _article_before(spans: list, i: int) -> bool:
    """"a dozen", "a pair", "half" (without an article: "cut by half"): a word that is an amount here."""
    word = spans[i][0]
    previous = spans[i - 1][0] if i > 0 else ""
    return previous in ("a", "an", "one") or (word == "half" and previous not in ("the", "first", "second"))


def _sign_start(text: str, start: int) -> int:
    return start - 1 if start > 0 and text[start - 1] in _CURRENCY_SIGNS else start
