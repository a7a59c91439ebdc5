"""What a sentence states beyond its partner: the facts ``dedup clean`` must not lose when it removes a restatement.

A restated sentence may go only when it says nothing its earlier partner does not. Four kinds of word carry a
fact that one changed word reverses, and a restatement's shared wording hides: numbers (in digits, with their sign,
or in words, and the scale and currency they come with: "$2.1 million" is not "$2.1 billion", "three" not "seven",
"5 degrees" not "-5 degrees"), negations (counted: "voted not to approve ..., and no date was set" is not "voted to
approve ..., and no date was set"), names (whole, where the confirm stage compares their first letters: "Austria"
is not "Australia"; a sentence's first word too, where its partner starts with another that may be a name:
"Becker won" is not "Lopez won"), and a word's negating prefix ("constitutional" and "unconstitutional").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable

from dedup.text.cases import content_word_names
from dedup.text.fact_sides import LOOSE_GROUPS, SIDE_OF
from dedup.text.one_change import changed_once
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, words

# Digits with their inner separators and a leading minus not inside a word or range ("-5", not "2-5"); a currency
# or percent sign; a number, scale or ordinal in words.
# "4.5m" and "4.5bn" keep their scale ("5km" its number).
# Currency signs: the dollar, cent, pound, yen and the Unicode block of currency signs (rupee, won, ruble, lira,
# naira, ...), their full-width forms; and the percent sign.
_SIGNS = "$%\u00a2-\u00a5\u058f\u060b\u09f2\u09f3\u0e3f\u17db\u20a0-\u20c0\ufdfc\uff04\uffe0\uffe1\uffe5\uffe6"
_NUMBER = re.compile(r"(?<![\w.,-])[-\u2212]?\d+(?:[.,]\d+)*(?:(?:bn|m|k|tn)\b)?|\d+(?:[.,]\d+)*(?:(?:bn|m|k|tn)\b)?|"
                     rf"[{_SIGNS}]")
# A number and the scale word after it, one fact: "$2.1 billion" is not "$2.1 million" though an earlier paragraph
# states 2.1 (million) and a billion of something else.
_SCALED = re.compile(r"(\d+(?:[.,]\d+)*)\s+(hundred|thousand|million|billion|trillion)s?\b", re.IGNORECASE)
_NUMBER_WORDS = frozenset("""zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
    thousand million billion trillion dozen hundreds thousands millions billions trillions dozens half quarter
    quarters twice thrice first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
    thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth
    fiftieth sixtieth seventieth eightieth ninetieth hundredth thousandth millionth billionth percent minus dollar
    dollars euro euros pound pounds yen yuan franc francs
    rupee rupees cent cents pence peso pesos rand krona kronor krone kroner ruble rubles rouble roubles rupiah won
    lira liras lire real reais dinar dinars dirham dirhams shekel shekels baht ringgit zloty zlotys forint naira
    shilling shillings riyal riyals rial rials dong yuan renminbi hryvnia lev leu lei taka kip""".split())
_MINUS = frozenset({"minus", "negative"})
# English, and the negations of German, French, Spanish, Italian, Dutch and Portuguese news ("keine neuen Lehrer",
# "n'ouvrira pas"): a paragraph saying the opposite in another language was removed as a restatement.
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|nicht|kein|keine|keinen|"
                       r"keinem|keiner|keines|nie|niemals|pas|jamais|aucun|aucune|nunca|jam\u00e1s|ning\u00fan|"
                       r"ninguna|ninguno|non|mai|nessun|nessuna|niet|geen|nooit|n\u00e3o|nenhum|nenhuma|nowhere)\b"
                       r"|n[\u2019']t\b|\b(?:did|do|does|is|was|are|were|has|have|had|could|would|should|ca|wo)nt\b")
_WORD = re.compile(r"[^\W\d_][\w\u2019'-]*")
_PREFIXES = ("un", "in", "im", "il", "ir", "non", "dis", "non-", "a")  # "a": "atypical", "asymmetric"
_REST = {"a": 5}  # letters past a prefix, at least (3 for the others): "along" is no negated "long"


def says_more(sentence: str, partner: str, context: str, said_before: Callable[[str], bool] | None = None) -> bool:
    """Whether ``sentence`` states a fact that ``partner`` (the sentence it restates) and ``context`` (the earlier
    paragraph holding it) do not: a number, a negation, a name or a negating prefix of its own (module docstring).
    ``said_before(stem)``: whether a word stem is in the text before ``sentence``'s paragraph (a condition stated
    there is known: the first paragraph to state it says more than the one it restates, and is kept).
    A sentence in another language (``_english``) says more unless it holds every word of ``partner`` and no word
    ``context`` lacks: its number words, negations and names (in scripts without capitals) cannot be read here."""
    if not _english(sentence):
        mine = words(sentence)
        # Counted and in order: a word said once more ("не" added where one "не" stands already), or the same
        # words in another order ("日本队以3比1击败中国队" for "中国队以3比1击败日本队", "三十" for "十三", 5月3日).
        if not set(words(partner)) <= set(mine) or Counter(mine) - Counter(words(context)):
            return True
        theirs = words(partner)
        if Counter(mine) == Counter(theirs) and mine != theirs:
            return True
    if _asks(sentence) != _asks(partner):
        return True  # "And if you don't?" is no restatement of "I don't accept that.": a question states nothing
    if Counter(negations(sentence)) != Counter(negations(partner)):
        return True
    if Counter(_numbers(sentence)) - Counter(_numbers(context)):  # counted: "6/6/2006" is not "6/22/2006"
        return True
    if _scaled(sentence) - _scaled(context) or _minus(sentence) != _minus(partner):
        return True  # "2.1 billion" where the earlier paragraph states 2.1 million; "five" for "minus five"
    if _names(sentence) - {_bare(w) for w in _WORD.findall(context)}:
        return True  # a name as written: "William" is not "Williams", whose stems are one
    known = content_word_names(context).keys()  # every content word's stem, a name or not
    if any(is_name and not stem[:1].isdigit() and stem not in known
           for stem, is_name in content_word_names(_one_sentence(sentence)).items()):
        return True
    if _stop_word_names(sentence) - {w.lower() for w in _WORD.findall(context) if w[0].isupper()}:
        return True  # "Bill Becker" for "Tom Becker", "Mill Lane" for "Park Lane": names the stop list holds
    if _acronyms(sentence) - _acronyms(context):
        return True  # "the US" for "the UK": "us" is a stop word
    if Counter(_symbols(sentence)) - Counter(_symbols(context)):
        return True  # a symbol or emoji of its own: "👎" for "👍"
    if _turned(sentence, partner, context):
        return True  # "rose" for "fell", "innocent" for "guilty", "p.m." for "a.m.": one word turns the fact
    order, partner_order = _order(sentence), _order(partner)
    if order != partner_order and sorted(order) == sorted(partner_order) or _swapped(sentence, partner):
        return True  # "Arsenal beat Chelsea 3-1" for "Chelsea beat Arsenal 3-1": the same names, other roles
    if _moved_numbers(sentence, context):
        return True  # "killing 12 and injuring 9" for "killing 9 and injuring 12"; "killing 12" for "injuring 12"
    mine, theirs = _speakers(sentence) - _ANY_SPEAKER, _speakers(partner) - _ANY_SPEAKER
    if mine and theirs and not (mine <= theirs or theirs <= mine) and mine - {_bare(w) for w in _WORD.findall(context)}:
        return True  # "..., witnesses said" for "..., police said", "a police spokesman" for "a fire service one"
    if _ROLES & {w.lower() for w in _WORD.findall(sentence)} - {w.lower() for w in _WORD.findall(context)}:
        return True  # "the deputy mayor said" for "the mayor said": another person
    if _HEDGES & {w.lower() for w in _WORD.findall(sentence)} - {w.lower() for w in _WORD.findall(context)}:
        return True  # "allegedly accepted bribes" for "accepted bribes": a claim, not a fact
    if _new_condition(sentence, partner, context, said_before):
        return True  # "... on Monday if talks fail": a condition the earlier paragraph does not state
    if changed_once(sentence, partner, context):
        return True  # "in rats" for "in mice", "opt out" for "opt in": the one change is the point
    mine, theirs = _first_word(sentence), _first_word(partner)
    if mine and theirs and mine != theirs and mine not in known and \
            mine not in {_bare(w) for w in _WORD.findall(context)}:
        return True  # "Becker won" for "Lopez won", "Bill Becker" for "Tom Becker": a first capital says nothing
    return _prefix_turned(sentence, partner)


# English words a sentence of English holds one of, nearly always, and other languages' sentences seldom: where none
# is, the rules below (English number words, names by their capitals, negations of seven languages) cannot be
# trusted ("drei" for "sieben", "Bieker" for "Lopez" in Arabic script, "не" were all removed as restatements).
# Not "is", "was", "had" or "of": everyday Dutch ("De raad had drie ..."), and German "was": a Dutch sentence
# holding one was read as English, and "zeven" for "drie" removed.
_ENGLISH = frozenset("""the and to were are that with for from by has have this which would been said its it they their
    there about after into than who what she his our you your because while""".split())


def _english(sentence: str) -> bool:
    """Whether ``sentence`` reads as English: it holds ``_ENGLISH``'s words, and more of them than of other
    languages' (``_OTHER_FUNCTION_WORDS``, words in other scripts). One English word was enough, and an English
    name in German or Russian news ("Fridays for Future", "The Guardian") made the sentence English, its number
    words ("sieben" for "drei") unread."""
    found = words(sentence)
    english = sum(w in _ENGLISH for w in found)
    others = [w for w in found if w in _OTHER_FUNCTION_WORDS or _NOT_LATIN.search(w) is not None]
    # A tie is English only when the other words are English words too ("a reef die", "a gambling den", "Che
    # Guevara"): "Jest to cztery" and "Je to čtyřikrát" are not.
    return english > len(others) or english == len(others) > 0 and all(w in _ALSO_ENGLISH for w in others)


# The commonest words of German, French, Spanish, Italian, Dutch, Portuguese, Polish, Czech, Danish, Norwegian,
# Swedish, Romanian, Turkish, Indonesian, Finnish and Hungarian news that English lacks. Without the last ten,
# "Jest to cztery razy" ("to"), "spital are patru" ("are": has), "for at" and "The Jakarta Post" made a sentence
# English, and "cztery" for "trzy" was removed unread.
_OTHER_FUNCTION_WORDS = frozenset("""die der das und ist für zu den dem des von mit nicht auf sich ein eine einen
    wird wurde sind le la les et est du une un pour dans qui sur pas au aux el los las y que del por para una
    es con se lo het een van zijn niet il di che della gli sono è não uma com os
    de jest się nie że na przez dla od przed niż także oraz już są był była było który która które po jak w z
    je se že než jsou byl bylo jako pro při podle ve v
    og er det en på til med af av som den har ikke ble blev var fra om å
    och att är inte ett till sig
    și în cu pe din care este sunt să nu mai pentru fost după
    ve bir bu da için ile olarak daha çok gibi ama değil kadar sonra olan göre
    yang dan di ke dari untuk dengan ini itu pada adalah dalam akan tidak telah oleh sebagai juga atau menurut
    bahwa ja että oli ovat mutta myös kun tai jo hän kanssa mukaan az és hogy egy volt van szerint már csak mint
    pedig""".split())
_ALSO_ENGLISH = frozenset("die den de en care till var pro dan yang v w z ve da che la los el di van il".split())
_NOT_LATIN = re.compile(r"[^\W\d_a-z\u00c0-\u024f]")


# Words of the stop list that are no function word, so a capital inside a sentence makes them a name ("Bill",
# "Mill", "Fire", "Side"): ``content_word_names`` leaves every stop word out.
_FUNCTION_WORDS = frozenset("""a about above after again against all also am among an and any are as at be been before
    being below between both but by can could did do does doing done down during each either even ever every for
    from had has have he her here hers him his how i if in into is it its may me might more most much must my neither
    never no nor not of off on once only onto or other our ours out over own same shall she should so some such than
    that the their them then there these they this those through to too under until up upon very was we were what
    when where which while who whom whose why will with within without would yet you your yours us myself
    ourselves itself himself herself themselves yourself yourselves whoever whatever whenever wherever whether
    because although though since unless via per amongst beside besides beyond toward towards across along around
    behind throughout thus therefore hence however moreover nevertheless otherwise perhaps rather already always
    often sometimes still else anyhow anyway anything everything nothing something anyone everyone someone nobody
    everywhere somewhere nowhere few several less least many""".split())
_NAMEABLE_STOP_WORDS = (ENGLISH_STOP_WORDS - _FUNCTION_WORDS) | {"may", "will"}  # the month, a first name


def _stop_word_names(sentence: str) -> set[str]:
    """Capitalised stop words of ``sentence`` that can be names, lower-cased, past its first word."""
    return {w.lower() for w in _WORD.findall(sentence)[1:] if w[0].isupper() and w.lower() in _NAMEABLE_STOP_WORDS}


def _first_word(sentence: str) -> str | None:
    """The stem of ``sentence``'s first word when it is capitalised and no function word (maybe a name: "Becker",
    "Bill"), else None."""
    first = _WORD.match(sentence.lstrip("\"'\u201c\u2018("))
    if first is None or not first.group()[0].isupper():
        return None
    word = first.group().lower()
    if word in ENGLISH_STOP_WORDS and word not in _NAMEABLE_STOP_WORDS:
        return None
    return light_stem(word) if word not in ENGLISH_STOP_WORDS else word


def _one_sentence(sentence: str) -> str:
    """``sentence`` without the periods inside it that a capital follows ("Mr. Jones", "St. Peter's", "J.P.
    Stanley"): it is one sentence, so they end none, and the capital after one is a name's."""
    return _INNER_PERIOD.sub("", sentence)


_INNER_PERIOD = re.compile(r"\.(?=\s+[^\W\d_])")
# Stop words written in capitals, an acronym's ("US", "U.S.", "IT"): the name of a country or a field, not "us"
_ACRONYM = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}|(?<![\w.])[^\W\d_]{2,}(?!\w)")


def _acronyms(text: str) -> set[str]:
    """The stop words ``text`` writes in capitals as acronyms ("US", "U.S."), without their periods."""
    found = set()
    for match in _ACRONYM.findall(text):
        letters = match.replace(".", "")
        if letters.isupper() and len(letters) >= 2 and (letters.lower() in ENGLISH_STOP_WORDS or "." in match):
            found.add(letters)
    return found


def _scaled(text: str) -> set[tuple[str, str]]:
    return {(number.replace(",", ""), scale.lower()) for number, scale in _SCALED.findall(text)}


def _minus(text: str) -> int:
    return sum(w.lower() in _MINUS for w in _WORD.findall(text))


def _names(sentence: str) -> set[str]:
    """The words of ``sentence`` that read as names (``content_word_names``), lower-cased as written (a
    possessive's "'s" left off), past its first word."""
    names = {stem for stem, is_name in content_word_names(_one_sentence(sentence)).items() if is_name}
    return {w for w in (_bare(w) for w in _WORD.findall(sentence)[1:] if w[0].isupper()) if light_stem(w) in names}


def _bare(word: str) -> str:
    """A word lower-cased, without a possessive's "'s" ("Keely's" names Keely)."""
    return word.lower().removesuffix("'s").removesuffix("\u2019s").removesuffix("'")




def _turned(sentence: str, partner: str, context: str) -> bool:
    """Whether ``sentence`` holds a word of a side (``fact_sides``) that ``context`` (the earlier paragraph) lacks where
    ``partner`` (the sentence it restates) holds a word of another side of its group: the partner, not the whole
    paragraph, for "would" and "could" are in most paragraphs, on other matters); in a loose group
    (``fact_sides.LOOSE_GROUPS``) a word ``sentence`` holds fewer of than ``partner`` does: "laid off 300 staff on
    Friday" turns nothing of "cut 300 jobs on Friday", nor "enables disabled visitors" of "lets disabled visitors",
    but "switched off on Friday" turns "switched on on Friday"."""
    mine, theirs = Counter(_sides(sentence)), Counter(_sides(partner))
    groups = {group for group in {group for group, _ in theirs} if group not in LOOSE_GROUPS} | \
        {group for group, _ in theirs - mine if group in LOOSE_GROUPS}
    return any(group in groups for group, side in mine.keys() - set(_sides(context)))


def _sides(text: str) -> list[tuple[int, int]]:
    """The (group, side) places of ``text``'s words (``fact_sides``), each time a word stands there."""
    text = _PERCENT.sub(" percent ", text)  # "2%" and "2 per cent" say "percent", not "percentage points"
    found, before = [], ""
    for match in _TURNING_WORD.finditer(text):
        word = match.group().lower()
        if not (word in ("up", "down") and before in _PHRASAL):
            found += SIDE_OF.get(word, ())  # "lines set up for", "set up 3 plants": no rise
        before = word
    return found


# Verbs whose "up" or "down" makes a phrase that says no rise or fall ("lines set up for", "the plant shut down"),
# with their other forms; not "closed", "opened", "came", "ended" ("the index closed up 2 percent").
_PHRASAL = frozenset(f"{verb}{end}" for verb in """set pick make give sign show line bring put look hold keep call
    catch follow sum back shore stir settle sit stand tear knock hand draw write wrap team clean shut let
    take""".split()
    for end in ("", "s", "ed", "ing")) | frozenset("""setting picked made gave given signed showed shown lined brought
    putting looked held kept called caught followed summed backed shored stirred settled sat stood tore torn knocked
    handed drew drawn wrote written wrapped teamed cleaned shutting letting took taken taking""".split())


_PERCENT = re.compile(r"%|\bper cent\b", re.IGNORECASE)


def _symbols(text: str) -> list[str]:
    return [c for c in text if not c.isascii() and unicodedata.category(c) == "So"]


# A name, a number in digits or a word, for ``_order`` and ``_number_places``.
_ITEM = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_][\w\u2019'-]*")
_SMALL_NUMBERS = {w: str(i) for i, w in enumerate("""zero one two three four five six seven eight nine ten eleven
    twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split())}
_SMALL_NUMBERS.update({w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(),
                                                             3)})
_CHANGE = frozenset({"to", "by", "from"})  # "rose to 3.2" (a level), "by 3.2" (a change), "from 3.2" (the start)
_ANY_NUMBER = frozenset(_SMALL_NUMBERS) | {"hundred", "thousand", "million", "billion", "trillion"}
# Who says it: the words before "said" at a clause's start or after a comma, or after "according to".
_SAYING = frozenset("said says told added reported stated according".split())
# After a quotation, news writes the speaker before or after the verb: '...," police said', '...," said police'.
_SPEAKER = re.compile(r"[,;:\u2014][\"'\u201d\u2019]?\s*(?:said|says|added)\s+((?:[\w\u2019'-]+\s+){0,3}?[\w\u2019'-]+)"
                      r"\s*(?=[.,;!?]|$)"
                      r"|(?:^|[,;:\u2014][\"'\u201d\u2019]?\s*|\.[\"'\u201d\u2019]?\s+)((?:[\w\u2019'-]+\s+){0,6}?)"
                      r"(?:said|says|told|added)\b"
                      r"|\baccording to ((?:[\w\u2019'-]+\s+){0,2}[\w\u2019'-]+)", re.IGNORECASE)
# Words that make a fact a claim or a report of one.
_HEDGES = frozenset("""allegedly alleged reportedly unconfirmed purportedly supposedly rumoured rumored apparently
    unverified""".split())
# Words any source may speak through: "a police spokesman" and "a fire service spokesman" are two sources, told
# apart by the rest of their words ("spokesman" shared, another source's statement was removed as restated).
_ANY_SPEAKER = frozenset(_bare(w) for w in """spokesman spokesmen spokeswoman spokeswomen spokesperson spokespeople
    official officials representative representatives source sources statement""".split())
# Words that make a role another person's: "the deputy mayor" is not "the mayor".
_ROLES = frozenset("deputy former acting interim vice ex assistant".split())
_CONDITION = re.compile(r"\b(?:if|unless|provided)\b([^,;.!?]*)", re.IGNORECASE)

# Words whole, hyphens and apostrophes inside them ("all-time" is no "all"), and "a.m." / "p.m.".
_TURNING_WORD = re.compile(r"(?<![\w.])(?:[ap]\.m\.)|[^\W\d_][\w\u2019'-]*")


def _order(sentence: str) -> list[str]:
    """The names and numbers (in digits or words: "nine" is 9) of ``sentence`` in the order it states them
    (where two or more are, the roles)."""
    said = []
    for i, m in enumerate(_ITEM.finditer(_one_sentence(sentence))):
        word = m.group()
        if word[:1].isdigit():
            said.append(word.replace(",", ""))
        elif word.lower() in _SMALL_NUMBERS:
            said.append(_SMALL_NUMBERS[word.lower()])
        elif word[0].isupper() and (i or word.lower() not in ENGLISH_STOP_WORDS):
            said.append(word.lower())
    return said


def _swapped(sentence: str, partner: str) -> bool:
    """Whether two names both sentences hold trade sides of a word both hold once ("Chelsea beat Arsenal" for
    "Arsenal beat Chelsea at Stamford Bridge"): other roles, where one names more than the other (an apposition
    moved, "JD Vance, Secretary of Defense" for "Secretary of Defense JD Vance", keeps its names on one side)."""
    words_s, words_p = [w.lower() for w in _WORD.findall(sentence)], [w.lower() for w in _WORD.findall(partner)]
    names = {n for n in _order(sentence) if not n[:1].isdigit()} & set(_order(partner))
    count_s, count_p = Counter(words_s), Counter(words_p)
    at_s = {w: i for i, w in enumerate(words_s)}  # a word held once: its one place
    at_p = {w: i for i, w in enumerate(words_p)}
    once = [w for w in count_s if count_s[w] == 1 and count_p[w] == 1]
    names = [n for n in once if n in names]
    if len(names) < 2:
        return False
    for anchor in once:
        if anchor in names or anchor in ENGLISH_STOP_WORDS or len(anchor) < 3:
            continue
        moved = {(at_s[n] < at_s[anchor], at_p[n] < at_p[anchor]) for n in names}
        if (True, False) in moved and (False, True) in moved:
            return True
    return False


def _new_condition(sentence: str, partner: str, context: str, said_before: Callable[[str], bool] | None) -> bool:
    """Whether ``sentence`` makes its fact hang on a condition ("if talks fail", "unless ...") that ``partner``
    does not state and whose words neither ``context`` nor the text before holds (``said_before``)."""
    if _CONDITION.search(partner) or not _CONDITION.search(sentence):
        return False
    known = {light_stem(w) for w in words(context)}
    new = {light_stem(w) for m in _CONDITION.finditer(sentence) for w in words(m.group(1))} - known
    return any(stem not in ENGLISH_STOP_WORDS and not (said_before and said_before(stem)) for stem in new)


def _moved_numbers(sentence: str, context: str) -> bool:
    """Whether a number of ``sentence`` stands between other words than in ``context``, where ``context`` puts
    another number there: "killing 12" where it says "killing nine ... injuring 12", "was 58 percent" where it
    says "was 62 percent, up from 58 percent". Numbers in words read as digits."""
    mine, theirs = _number_places(sentence), _number_places(context)
    for number, before, after in mine:
        slot = [n for n, b, a in theirs if (b, a) == (before, after) and (before or after)]
        if slot and number not in slot:
            return True  # "was 58 percent" where it says "was 62 percent, up from 58 percent"
        said = {b for n, b, _ in theirs if n == number}
        if before in _CHANGE and said and before not in said and said <= _CHANGE:
            return True  # "rose by 3.2 percent" where it says "rose to 3.2 percent": a change, not a level
        if after and not any(n == number and a == after for n, b, a in theirs) and any(
                n == number and _turned_word(after, a) for n, _, a in theirs):
            return True  # "in about six months" where it says "in about six weeks" ("a month" said of a price)
        if any(n == number and (b == before or a == after) for n, b, a in theirs):
            continue  # said there in the same place
        if any(n != number and (b == before and before or a == after and after) for n, b, a in theirs):
            return True
    return False


def _turned_word(word: str, other: str) -> bool:
    """Whether two words stand on two sides of one group (``fact_sides``): "months" and "weeks"."""
    mine, theirs = SIDE_OF.get(word, ()), SIDE_OF.get(other, ())
    return any(group == g and side != s for group, side in mine for g, s in theirs)


def _number_places(text: str) -> list[tuple[str, str, str]]:
    """Each number of ``text`` (digits, or a small number in words) with the words right before and after it."""
    found = [m.group().lower() for m in _ITEM.finditer(text)]
    places = []
    for i, item in enumerate(found):
        number = item.replace(",", "") if item[:1].isdigit() else _SMALL_NUMBERS.get(item)
        if number is not None:
            before = found[i - 1] if i and not found[i - 1][:1].isdigit() else ""
            after = found[i + 1] if i + 1 < len(found) and not found[i + 1][:1].isdigit() else ""
            places.append((number, "" if before in _ANY_NUMBER else before, "" if after in _ANY_NUMBER else after))
    return places


def _speakers(sentence: str) -> set[str]:
    """The words naming who says it ("..., police said", "according to witnesses"), bare, stop words left out."""
    found = set()
    for m in _SPEAKER.finditer(sentence):
        # Function words left out, not the stop list's: it holds "fire" ("fire officials" said as "officials").
        found.update(_bare(w) for w in _WORD.findall(m.group(1) or m.group(2) or m.group(3) or "") if w.lower() not in
                     _FUNCTION_WORDS and w.lower() not in _SAYING)
    return found


def _asks(sentence: str) -> bool:
    """Whether ``sentence`` asks or reports a question: '"Will the plant close?" Lopez asked.' as 'Lopez asked:
    "Will the plant close?"', and "asked whether the plan was legal" as "asked: 'Is the plan legal?'"; not "asked
    customers to raise their thermostats", a request."""
    return "?" in sentence or "\uff1f" in sentence or _ASKED.search(sentence) is not None


_ASKED = re.compile(r"\b(?:ask|asks|asked|asking|wonder|wonders|wondered)\s+(?:[\w\u2019'-]+\s+){0,3}?"
                    r"(?:whether|if|why|how|what|when|where|who|which)\b", re.IGNORECASE)


def negations(text: str) -> list[str]:
    """The negating words of ``text``, each time one stands there (English and ``_OTHER_NEGATIONS``)."""
    return _NEGATION.findall(text.lower()) + [w for w in words(text) if w in _OTHER_NEGATIONS]


# Negations of languages whose words ``_NEGATION``'s \b cannot find (Devanagari's vowel signs are no word
# characters) or that it lacks: "не" added to a Russian sentence, "tidak" to an Indonesian one, "नहीं" to a Hindi
# one was removed where the earlier paragraph held the word in another sentence.
_OTHER_NEGATIONS = frozenset("""не нет ни никогда ніколи немає ні değil yok hiç asla tidak bukan belum tak ikke aldri
    aldrig inte ingen ingenting nigdy żaden żadnych ne nikdy žádný nu niciodată nem soha nincs nije nisu nikada
    नहीं मत कभी नही لا لم لن ليس ليست غير לא אין ei eikä""".split())


def _numbers(text: str) -> list[str]:
    found = [n.replace("\u2212", "-").replace(",", "") for n in _NUMBER.findall(text)]
    # A hyphenated number word is its parts: "forty-five" is "forty" and "five" (it was no number word at all).
    return found + [w for m in _WORD.findall(text) for w in m.lower().split("-") if w in _NUMBER_WORDS]


def _prefix_turned(sentence: str, partner: str) -> bool:
    """Whether a word of ``sentence`` is a word of ``partner`` with a negating prefix put on or taken off
    ("unconstitutional" for "constitutional", "likely" for "unlikely")."""
    theirs = {w.lower() for w in _WORD.findall(partner)}
    for word in {w.lower() for w in _WORD.findall(sentence)} - theirs:
        if any(pre + word in theirs and len(word) >= _REST.get(pre, 1) for pre in _PREFIXES):
            return True
        if any(word.startswith(pre) and len(word) - len(pre) >= _REST.get(pre, 3) and word[len(pre):] in theirs
               for pre in _PREFIXES):
            return True
    return False
