"""What a number written on a page is when it is not an amount: a date, a time of day, a year, a rank, a code.

``quantities`` reads amounts for the confirm stage, which asks whether two paragraphs agree on how much. Web
pages are full of numbers that say nothing of how much: timestamps ("06:32, 1 April 2008 (UTC)", "posted at 12:08
PM"), dates in figures ("09-29-05"), years of any century ("In 1730", "(r. 1730-54)"), ranks ("17th Regiment")
and codes ("AD-508", "1-718-359-0528", "Flushing, NY 11354"). Read as counts, two unrelated paragraphs "agreed"
on them. A code is read whole (``code_span``), so that two paragraphs giving one telephone number agree on it and
two giving numbers of one area code do not. Each test here looks at the piece of text a number was read from
(``spans``: ``quantities``' pieces, lower-cased, with their offsets) and at the characters around it.
"""

from __future__ import annotations

import re

__all__ = ["YEAR", "in_date", "code_span", "code_key", "zip_code", "time_of_day", "ordinal", "day_of_month",
           "year_range_end"]

YEAR = re.compile(r"1\d\d\d|20\d\d")  # a year, written bare: "in 2022", "around 1200", "the 1970s"
# A date in figures ("2008-04-01", "09-29-05", "29.09.2005", "4/1/2008").
_DATE = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})")
_DATE_CHARS = frozenset("0123456789-/.")
_CODE_LETTERS = 64  # characters before a code's digits read for its letters (``code_span``)
_DATE_LONGEST = 12  # characters of the longest date ``_DATE`` reads ("2008-04-01" is 10)
# Words around a clock that make it a time of day ("at 7:30", "07:54 PM", "06:32, 1 April 2008 (UTC)"), not a
# duration; so does an hour written with a leading zero.
_AT = frozenset("at by until till from before after since".split())
_TIME_ZONES = frozenset("am pm a p utc gmt bst cet cest est edt cst cdt mst mdt pst pdt local".split())
MONTHS = frozenset("january february march april may june july august september october november december "
                   "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_ORDINAL_ENDS = ("st", "nd", "rd", "th")
_JOINERS = "-/"
_ZIP_BEFORE = re.compile(r"[A-Z]{2} ")  # "NY 11354": a state's abbreviation, then a zip code
_PHONE = re.compile(r"\(\d{3}\) ?\d{3}[-. ]\d{4}")  # "(919) 968-4610"


def in_date(text: str, start: int, end: int) -> bool:
    """Whether the numeral at ``start:end`` is part of a date written in figures (``_DATE``)."""
    # At most a date's length around it: a page's "12-12-12-..." of 20,000 numbers was read in minutes, each
    # number widened over the whole run and searched again.
    found = _DATE.search(text, *_grow(text, start, end, _DATE_CHARS.__contains__, _DATE_LONGEST))
    if found is None:
        return False
    first, second, third = (int(found.group(k)) for k in (1, 3, 4))
    if len(found.group(1)) == 4:  # year, month, day
        return 1 <= second <= 12 and 1 <= third <= 31
    return (1 <= first <= 31 and 1 <= second <= 12) or (1 <= first <= 12 and 1 <= second <= 31)


def code_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the code the numeral at ``start:end`` is part of, or None: capitals before it ("A320",
    "AD-508", "COVID-19"; not "pre-2014"), three groups or more joined by dashes or slashes ("1-718-359-0528",
    "315/70/17"), two of which one is long or starts with a zero ("968-4610", "37-01"; "9-4" is a tally,
    "2004-07" years), or a telephone's area code ("(919) 968-4610")."""
    if start > 0 and text[start - 1] == "(":
        phone = _PHONE.match(text, start - 1)
        if phone:
            return phone.start(), phone.end()
    low, high = _grow(text, start, end, lambda c: c.isdigit() or c in _JOINERS)
    if low > 0 and text[low - 1].isalpha():  # letters before the digits: the code starts with them ...
        # A code's letters are a few ("AD-", "COVID-"): read at most _CODE_LETTERS back, or each number of a run
        # such as "A1-A1-A1-..." or "15th-15th-..." would be widened over the whole run again.
        first = _grow(text, low, low, lambda c: c.isalnum() or c in _JOINERS, _CODE_LETTERS)[0]
        if any(c.isupper() for c in text[first:low]):  # ... capitals: "AD-508", not "pre-2014" or "under-21"
            return first, high
    groups = [g for g in re.split(r"[-/]", text[low:high]) if g]
    if len(groups) >= 3:
        return low, high
    if len(groups) == 2 and not (YEAR.fullmatch(groups[0]) and len(groups[1]) in (2, 4)):
        if any(len(g) > 3 or (len(g) > 1 and g[0] == "0") for g in groups):
            return low, high
    return None


def _grow(text: str, start: int, end: int, keep, limit: int | None = None) -> tuple[int, int]:
    """``start:end`` widened over the characters around it that ``keep`` accepts, on both sides (at most
    ``limit`` characters each side)."""
    low = 0 if limit is None else max(0, start - limit)
    high = len(text) if limit is None else min(len(text), end + limit)
    while start > low and keep(text[start - 1]):
        start -= 1
    while end < high and keep(text[end]):
        end += 1
    return start, end


def code_key(code: str) -> str:
    """What two codes must share to be the same: letters and digits, lower-cased; a telephone number without
    its country's 1 ("1-866-292-0439" is "(866) 292-0439")."""
    key = "".join(c for c in code.lower() if c.isalnum())
    return key[1:] if len(key) == 11 and key.isdigit() and key[0] == "1" else key


def zip_code(text: str, start: int, end: int) -> bool:
    """Whether the numeral at ``start:end`` is a zip code after a state's abbreviation ("NY 11354"): many
    places share one, so it says nothing of the paragraph's claim."""
    return end - start == 5 and text[start:end].isdigit() and start >= 3 \
        and _ZIP_BEFORE.fullmatch(text, start - 3, start) is not None


def time_of_day(word: str, spans: list, i: int) -> bool:
    """Whether the clock ``word`` (piece ``i``) is a time of day, not a duration: an hour with a leading zero,
    "at" or the like before it (``_AT``), or right after it a.m., p.m. or a time zone (``_TIME_ZONES``), or a
    date ("06:32, 1 April 2008"). A race time followed by "a personal best" or "in March" stays a duration."""
    parts = word.split(":")
    if len(parts) == 2 and len(parts[0]) == 2 and parts[0][0] == "0":
        return True
    if i > 0 and spans[i - 1][0] in _AT:
        return True
    after = [spans[k][0] for k in range(i + 1, min(i + 3, len(spans)))]
    if not after:
        return False
    if after[0] in ("a", "p"):  # "7:30 a.m.", "7:30 p.m.", not "2:03:41, a course record"
        return len(after) > 1 and after[1] == "m"
    return after[0] in _TIME_ZONES or after[0] in MONTHS or (
        len(after) > 1 and after[0].isdigit() and after[1] in MONTHS)


def ordinal(word: str, spans: list, i: int) -> bool:
    """Whether the numeral ``word`` (piece ``i``) is written as an ordinal: "17th", "22nd", "1st"."""
    return (word.isdigit() and i + 1 < len(spans) and spans[i + 1][1] == spans[i][2]
            and spans[i + 1][0] in _ORDINAL_ENDS)


def day_of_month(word: str, spans: list, i: int) -> bool:
    """Whether the numeral ``word`` (piece ``i``) is a day of the month: 1 to 31 beside a month's name."""
    if not word.isdigit() or len(word) > 2 or not 1 <= int(word) <= 31:
        return False
    after = i + 2 if i + 2 < len(spans) and spans[i + 1][0] in _ORDINAL_ENDS else i + 1
    return (i > 0 and spans[i - 1][0] in MONTHS) or (after < len(spans) and spans[after][0] in MONTHS)


def year_range_end(text: str, spans: list, i: int) -> bool:
    """Whether piece ``i`` ends a range of years: two or four digits right after a year and a dash."""
    word, start, _ = spans[i]
    if i == 0 or len(word) not in (2, 4) or not word.isdigit() or start < 1 or text[start - 1] not in "-–":
        return False
    before = spans[i - 1]
    return before[2] == start - 1 and YEAR.fullmatch(before[0]) is not None


def last_digit_step(value: float) -> float:
    """The place of a value's last significant digit (1,000,000 -> 1,000,000; 1,500,000 -> 100,000; 0.25 -> 0.01)."""
    mantissa, exponent = f"{value:.6e}".split("e")  # read, not divided: 10.0 ** -324 is 0 (a denormal floor)
    digits = mantissa.rstrip("0").rstrip(".").replace(".", "")
    return 10.0 ** (int(exponent) - (len(digits) - 1))


def coarser_step(a: float, b: float) -> float:
    """The larger of two values' ``last_digit_step``: the precision the coarser of them is stated to."""
    return max(last_digit_step(abs(a) or 1.0), last_digit_step(abs(b) or 1.0))
