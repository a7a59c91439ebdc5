"""Amounts read from news text (dedup.text.quantities): values, units, rough or exact, spans."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.text.quantities import Quantity, agree, quantities

CODE = "any checksum"  # a code's value is a checksum of its letters and digits: compared, never read


def read(text: str) -> list[tuple[float, str, bool, str]]:
    return [(q.value, q.unit, q.rough, text[q.start:q.end]) for q in quantities(text)]


@pytest.mark.parametrize("text, bound", [
    ("well over a million", "over"), ("more than 100 people", "over"), ("at least 40 people", "over"),
    ("just over half", "over"), ("nearly forty", "under"), ("less than $5 million", "under"),
    ("about 40 people", ""), ("40 people", ""), ("the least 40", ""),
])
def test_a_floor_or_a_ceiling_is_read_as_one(text, bound):
    assert [q.bound for q in quantities(text)] == [bound]


@pytest.mark.parametrize("a, b, same", [
    # A floor agrees up to the next round figure at its last digit, a ceiling down to the one before (beside the
    # fifth either way that any hedged amount agrees within).
    ("well over a million phones", "about 1.3 million phones", True),
    ("well over a million phones", "2.5 million phones", False),
    ("more than 1.5 million", "1.58 million", True),
    ("more than 1.5 million", "2 million", False),
    ("just over half", "52.4 percent", True),
    ("nearly 2 billion dollars", "$1.9 billion", True),
    ("nearly 2 billion dollars", "$2.6 billion", False),
    ("at least 40 people", "39 people", False),
])
def test_an_amount_within_a_floor_or_ceiling_agrees(a, b, same):
    (qa,), (qb,) = quantities(a), quantities(b)
    assert agree(qa, qb) is same
    assert agree(qb, qa) is same


def test_a_numeral_too_long_for_a_float_agrees_only_with_itself():
    (huge,) = quantities("more than " + "9" * 400 + " people")
    (small,) = quantities("about 5 people")
    assert not agree(huge, small) and not agree(small, huge) and agree(huge, huge)


@pytest.mark.parametrize("text, expected", [
    ("About 12,000 people were evacuated", [(12_000.0, "", True, "12,000")]),
    ("Roughly twelve thousand residents", [(12_000.0, "", True, "twelve thousand")]),
    ("a fee of €38 million", [(38e6, "eur", False, "€38 million")]),
    ("a sum a little under forty million euros", [(40e6, "eur", True, "forty million euros")]),
    ("thirty-four dollars a share", [(34.0, "usd", False, "thirty-four dollars")]),
    ("a $2.1 billion deal", [(2.1e9, "usd", False, "$2.1 billion")]),
    ("the roughly four-billion-dollar package", [(4e9, "usd", True, "four-billion-dollar")]),
    ("a £38m transfer", [(38e6, "gbp", False, "£38m")]),
    ("up 52 percent", [(0.52, "share", False, "52 percent")]),
    ("up 5.5% on the year", [(0.055, "share", False, "5.5%")]),
    ("1.5 per cent", [(0.015, "share", False, "1.5 per cent")]),
    ("roughly half as likely", [(0.5, "share", True, "half")]),
    ("160 millimetres of rain in 48 hours", [(0.16, "m", False, "160 millimetres"), (48.0, "h", False, "48 hours")]),
    ("sixteen centimetres in two days", [(0.16, "m", False, "sixteen centimetres"), (48.0, "h", False, "two days")]),
    ("a dozen opposed", [(12.0, "", False, "dozen")]),
    ("about two and a half thousand pounds", [(2500.0, "gbp", True, "two and a half thousand pounds")]),
    ("one and a half million people", [(1.5e6, "", False, "one and a half million")]),
    ("roughly a hundred and twelve thousand people", [(112_000.0, "", True, "a hundred and twelve thousand")]),
    ("three hundred and forty-five seats", [(345.0, "", False, "three hundred and forty-five")]),
    ("a million dollars", [(1e6, "usd", True, "a million dollars")]),
    ("the million-dollar question", []),
    ("2 hours and 30 minutes later", [(2.5, "h", False, "2 hours and 30 minutes")]),
    ("finished 38 seconds ahead", [(38 / 3600, "h", False, "38 seconds")]),
    ("leads by 1 minute 12 seconds", [(72 / 3600, "h", False, "1 minute 12 seconds")]),
    ("2 days 3 hours 4 minutes and 5 seconds", [(51 + 4 / 60 + 5 / 3600, "h", False,
                                                "2 days 3 hours 4 minutes and 5 seconds")]),
    ("1 minute 30 seconds and 50 seconds", [(90 / 3600, "h", False, "1 minute 30 seconds"),
                                            (50 / 3600, "h", False, "50 seconds")]),  # a part is under the last
    ("the race lasted two hours and", [(2.0, "h", False, "two hours")]),  # a page cut off: read, no IndexError
    ("Four in ten of the new homes", [(0.4, "share", True, "Four in ten")]),
    ("nine out of ten voters", [(0.9, "share", True, "nine out of ten")]),
    ("3 in 2019", [(3.0, "", False, "3"), (2019.0, "year", False, "2019")]),  # a year is no whole
    ("ten ten", [(10.0, "", False, "ten"), (10.0, "", False, "ten")]),  # two numbers, not twenty
    ("scored 2 in 10 minutes", [(2.0, "", False, "2"), (10 / 60, "h", False, "10 minutes")]),
    ("in 2:03:41, just under two hours and four minutes", [(2 + 3 / 60 + 41 / 3600, "h", False, "2:03:41"),
                                                          (2 + 4 / 60, "h", True, "two hours and four minutes")]),
    ("a 9-4 vote", [(9.0, "", False, "9"), (4.0, "", False, "4")]),
    ("in 2022", [(2022.0, "year", False, "2022")]),
    ("the first half of the season", []),
    ("no amount here at all", []),
])
def test_amounts_are_read_with_unit_and_span(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("a, b, same", [
    ("€38 million", "a little under forty million euros", True),
    ("$61 million", "about sixty-one million dollars", True),
    ("160 millimetres", "sixteen centimetres", True),
    ("48 hours", "two days", True),
    ("52 percent", "roughly half", True),
    ("4.7 million customers", "nearly five million buyers", True),
    ("a record 112,000 people", "roughly a hundred and twelve thousand people", True),
    ("$1.2 million", "$1.2 million", True),
    ("$1.2 million", "1.2 million people", False),  # money is not a count
    ("$298 million", "$305 million", False),  # two exact amounts 2% apart are two amounts
    ("€38 million", "sixty million euros", False),  # rounding goes so far
    ("in 2022", "2,022 people", False),
    ("38 seconds", "thirty-eight seconds", True),
    ("40 percent", "four in ten", True),
    ("1 minute 12 seconds", "72 seconds", True),
])
def test_agreement_allows_rounding_not_other_amounts(a, b, same):
    (qa,), (qb,) = quantities(a), quantities(b)
    assert agree(qa, qb) is same
    assert agree(qb, qa) is same


@pytest.mark.parametrize("text, expected", [
    # A hedge hedges the amount it stands before, not one past a full stop or a bracket.
    ("Be bold, remove more. -- 12:32 later", [(12 + 32 / 60, "h", False, "12:32")]),
    ("visits several times a week or more (11 percent of them)", [(0.11, "share", False, "11 percent")]),
    ("killing about 2,000 people", [(2000.0, "", True, "2,000")]),
    ("well over $5 million", [(5e6, "usd", True, "$5 million")]),
    ("more than 300 homes", [(300.0, "", True, "300")]),
    # A time of day is a time of day ("clock", minutes past midnight), not a duration: "07:54 PM", "at 7:30", a
    # timestamp "06:32, 1 April 2008 (UTC)"; a day of the month beside its month is a date.
    ("09-29-05, 07:54 PM", [(19 * 60 + 54.0, "clock", False, "07:54")]),
    ("kick-off at 7:30 tonight", [(7 * 60 + 30.0, "clock", False, "7:30")]),
    ("at 12:15 am", [(15.0, "clock", False, "12:15")]),
    ("() 06:32, 1 April 2008 (UTC)", [(6 * 60 + 32.0, "clock", False, "06:32"), (1.0, "date", False, "1"),
                                      (2008.0, "year", False, "2008")]),
    ("# 15 December 2008 at 4:18 pm", [(15.0, "date", False, "15"), (2008.0, "year", False, "2008"),
                                       (16 * 60 + 18.0, "clock", False, "4:18")]),
    ("on Dec 15th, 25 people", [(15.0, "date", False, "15"), (25.0, "", False, "25")]),
    ("the winner finished in 2:03:41", [(2 + 3 / 60 + 41 / 3600, "h", False, "2:03:41")]),
    ("she won in 2:03:41, a course record", [(2 + 3 / 60 + 41 / 3600, "h", False, "2:03:41")]),
    ("he ran 2:05 in March", [(2 + 5 / 60, "h", False, "2:05")]),
    ("doors open 7:30 p.m. sharp", [(19 * 60 + 30.0, "clock", False, "7:30")]),
    # A date written in figures states no amount, in any order and with any separator.
    ("posted 2008-04-01 by the editor", []),
    ("on 29.09.2005 and 4/1/2008", []),
    # Years before 1800 are calendar years too, and so is the end of a range of years.
    ("In 1730 after executing the grand vizier, Mahmud I (r. 1730-54)", [
        (1730.0, "year", False, "1730"), (1730.0, "year", False, "1730"), (54.0, "year", False, "54")]),
    ("Around 1200, most Ghorid lands", [(1200.0, "year", True, "1200")]),
    ("the war of 1939–45", [(1939.0, "year", False, "1939"), (45.0, "year", False, "45")]),
    ("a 9-4 vote and 1,200 jobs", [(9.0, "", False, "9"), (4.0, "", False, "4"), (1200.0, "", False, "1,200")]),
    # Codes are read whole ("code"): telephone numbers, forms, models, tyre sizes, street numbers; a zip code
    # is none (many places share one).
    ("The Women's Center, (919) 968-4610.", [(CODE, "code", False, "(919) 968-4610")]),
    ("call 1-718-359-0528 or 800-754-8000", [(CODE, "code", False, "1-718-359-0528"),
                                             (CODE, "code", False, "800-754-8000")]),
    ("P.O. Box 27412 Flushing, NY 11354", [(27412.0, "", False, "27412")]),
    ("posted at EST 12:08 PM", [(12 * 60 + 8.0, "clock", False, "12:08")]),
    ("its pre-2014 borders and the under-21 side", [(2014.0, "year", False, "2014"), (21.0, "", False, "21")]),
    ("AD-508, a COVID-19 rule for the A320", [(CODE, "code", False, "AD-508"), (CODE, "code", False, "COVID-19"),
                                              (CODE, "code", False, "A320")]),
    ("315/70/17 tires at 37-01 Bowne St.", [(CODE, "code", False, "315/70/17"), (CODE, "code", False, "37-01")]),
    ("a 4-inch lift for 2004-07 trucks, a 31-19 vote", [(4.0, "", False, "4"), (2004.0, "year", False, "2004"),
                                                        (7.0, "year", False, "07"), (31.0, "", False, "31"),
                                                        (19.0, "", False, "19")]),
])
def test_what_is_no_amount_in_web_text(text, expected):
    """Read on real web pages (PAN 2013 source documents): timestamps, dates in figures, years before 1800, codes
    read in pieces and hedges across punctuation made amounts that two unrelated paragraphs 'agreed' on."""
    found = read(text)
    assert [(CODE if unit == "code" else value, unit, rough, shown) for value, unit, rough, shown in found] == expected


@pytest.mark.parametrize("a, b, same", [
    ("call (416) 282-4111", "Phone 416-282-4111", True),
    ("Call Now!1-866-292-0439", "1-866-292-0439", True),
    ("Call 866-292-0439", "1-866-292-0439", True),
    ("(919) 968-4610", "(919) 968-2784", False),  # one area code, two numbers
    ("AD-508", "AD-508.3", False),
    ("AD-508", "XY-508", False),
])
def test_codes_agree_only_whole(a, b, same):
    (qa,), (qb,) = quantities(a), quantities(b)
    assert qa.unit == qb.unit == "code" and agree(qa, qb) is same


def test_an_unnamed_currency_agrees_with_any():
    money = Quantity(5e6, "money", False, 0, 1)
    assert agree(money, Quantity(5e6, "usd", False, 0, 1)) and agree(Quantity(5e6, "eur", False, 0, 1), money)
    assert not agree(Quantity(5e6, "usd", False, 0, 1), Quantity(5e6, "eur", False, 0, 1))


def test_offsets_point_into_the_text_as_read():
    text = "Héllo — the council restored £1,250,000 and, later, nearly two million pounds."
    found = quantities(text)
    assert [text[q.start:q.end] for q in found] == ["£1,250,000", "two million pounds"]
    assert found[0].value == 1_250_000 and found[1].rough and found[1].unit == "gbp"


def _every_piece(text: str) -> list[Quantity]:
    """The plain reading: every piece tried as an amount's start, no pre-filter (what ``quantities`` must equal)."""
    from dedup.text import quantities as module

    spans = [(m.group().lower(), m.start(), m.end()) for m in module._PIECE.finditer(text)]
    found, i = [], 0
    while i < len(spans):
        read = module._amount(text, spans, i)
        if read is None:
            i += 1
        else:
            found.append(read[0])
            i = read[1]
    return found


_VOCABULARY = ["about", "nearly", "a", "little", "over", "under", "more", "than", "one", "Two", "twenty", "seven",
               "forty", "hundred", "thousand", "Million", "billion", "dollars", "euros", "percent", "per", "cent",
               "half", "quarter", "thirds", "dozen", "pair", "of", "hours", "and", "minutes", "trillion", "days", "years",
               "miles", "the", "first", "council", "Someone", "often", "2,022", "3.5", "$4.2", "€38", "£12m", "52%",
               "2:03:41", "9-4", "four-billion-dollar", "1984", "İstanbul", "—", ",", ".", "at", "07:54", "pm", "1730", "December", "15th",
               "-54", "2008-04-01", "(", "29.09.2005", "4/1/2008",
               "(919)", "968-4610", "NY", "11354", "AD-508", "A320", "37-01"]


@given(st.lists(st.sampled_from(_VOCABULARY), max_size=25))
def test_the_fast_reading_finds_what_the_plain_one_does(words):
    text = " ".join(words)
    assert quantities(text) == _every_piece(text)


def test_a_long_run_of_durations_is_read_one_by_one():
    """Each duration went on with the next and read it a call deeper: a RecursionError at a few hundred, and
    each start read again the whole run after it."""
    found = quantities("It took 1 minute 12 seconds and " * 2000)
    assert len(found) == 2000 and {round(q.value * 3600, 6) for q in found} == {72.0}


@pytest.mark.parametrize("other", ["2 metres", "0." + "0" * 319 + "1 metres", "more than 0." + "0" * 323 + "5 metres"])
def test_a_floor_too_small_for_its_last_digit_agrees_without_dividing_by_zero(other):
    """The floor's last digit was found by dividing by 10 ** exponent, 0 for the smallest floats."""
    (floor,), (found,) = quantities("more than 0." + "0" * 323 + "5 metres"), quantities(other)
    assert agree(floor, found) is agree(found, floor) is (found.value == floor.value)


_EXTREME = ["9" * 400, "0." + "0" * 323 + "5", "0." + "0" * 330 + "1", "1" + "0" * 308, "metres", "seconds"]
_TEXTS = st.lists(st.sampled_from(_VOCABULARY + _EXTREME), max_size=20).map(" ".join)


@given(_TEXTS, _TEXTS)
def test_any_two_amounts_are_compared_without_error_and_either_way(a, b):
    for q in quantities(a):
        for r in quantities(b):
            assert agree(q, r) is agree(r, q)


@pytest.mark.parametrize("run", ["12-", "12/", "A1-", "15th-", "12x", "99999-", "12:"])
def test_a_long_run_of_numbers_is_read_in_one_pass(run, monkeypatch):
    """Each number of a run such as "12-12-12-..." was widened over the whole run and searched again (a 60 KB
    page took two minutes): the characters looked at now grow with the run, not with its square."""
    from dedup.text import number_kinds

    widths = []
    grow = number_kinds._grow

    def measured(text, start, end, keep, limit=None):
        low, high = grow(text, start, end, keep, *([] if limit is None else [limit]))
        widths.append(high - low)
        return low, high

    monkeypatch.setattr(number_kinds, "_grow", measured)
    quantities(run * 5000)
    assert sum(widths) <= 256 * 5000  # a bounded width per number (the whole run each: 5000 times 15,000)
