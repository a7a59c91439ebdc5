"""What a number written on a page is when it is not an amount: a date, a time of day, a year, a rank, a code.

``quantities`` reads amounts for the confirm stage, which asks whether two paragraphs agree on how much. Web
pages are full of numbers that say nothing of how much: timestamps ("06:32, 1 April 2008 (UTC)", "posted at
12:08 PM"), dates in figures ("09-29-05"), years of any century ("In 1730", "(r. 1730-54)"), ranks ("17th
Regiment") and codes ("AD-508", "1-718-359-0528", "Flushing, NY 11354"). Read as counts, two unrelated
paragraphs "agreed" on them. Each test here looks at the piece of text a number was read from (``spans``:
``quantities``' pieces, lower-cased, with their offsets) and at the characters around it.
"""

from __future__ import annotations

import re

__all__ = ["YEAR", "in_date", "identifier", "time_of_day", "ordinal", "day_of_month", "year_range_end"]

YEAR = re.compile(r"1\d\d\d|20\d\d")  # a year, written bare: "in 2022", "around 1200", "the 1970s"
# A date in figures ("2008-04-01", "09-29-05", "29.09.2005", "4/1/2008").
_DATE = re.compile(r"\d{1,4}([-/.])\d{1,2}\1\d{1,4}")
_DATE_CHARS = frozenset("0123456789-/.")
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
    while start > 0 and text[start - 1] in _DATE_CHARS:
        start -= 1
    while end < len(text) and text[end] in _DATE_CHARS:
        end += 1
    return _DATE.search(text, start, end) is not None


def identifier(text: str, start: int, end: int) -> bool:
    """Whether the numeral at ``start:end`` is part of a code, not an amount: letters before it ("A320",
    "AD-508", "COVID-19"), three groups or more joined by dashes or slashes ("1-718-359-0528", "315/70/17"),
    two of which one is long or starts with a zero ("968-4610", "37-01"; "9-4" is a tally, "2004-07" years),
    a zip code after a state's abbreviation ("NY 11354") or a telephone's area code ("(919) 968-4610")."""
    if start > 0 and (text[start - 1].isalpha() or (text[start - 1] in _JOINERS and start > 1
                                                     and text[start - 2].isalpha())):
        return True
    low, high = start, end
    while low > 0 and (text[low - 1].isdigit() or text[low - 1] in _JOINERS):
        low -= 1
    while high < len(text) and (text[high].isdigit() or text[high] in _JOINERS):
        high += 1
    groups = [g for g in re.split(r"[-/]", text[low:high]) if g]
    if len(groups) >= 3:
        return True
    if len(groups) == 2 and not (YEAR.fullmatch(groups[0]) and len(groups[1]) in (2, 4)):
        if any(len(g) > 3 or (len(g) > 1 and g[0] == "0") for g in groups):
            return True
    if end - start == 5 and text[start:end].isdigit() and start >= 3 and _ZIP_BEFORE.fullmatch(text, start - 3, start):
        return True
    return start > 0 and text[start - 1] == "(" and _PHONE.match(text, start - 1) is not None


def time_of_day(word: str, spans: list, i: int) -> bool:
    """Whether the clock ``word`` (piece ``i``) is a time of day, not a duration (``_AT``, ``_TIME_ZONES``)."""
    parts = word.split(":")
    if len(parts) == 2 and len(parts[0]) == 2 and parts[0][0] == "0":
        return True
    after = [spans[k][0] for k in range(i + 1, min(i + 3, len(spans)))]
    return (i > 0 and spans[i - 1][0] in _AT) or bool(after and after[0] in _TIME_ZONES) \
        or any(w in MONTHS for w in after)


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
