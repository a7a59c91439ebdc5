"""A definition's term: two definitions of different terms are no restatement of each other.

Contracts and policies define their terms in sentences of one shape ('"Disclosing Party" means the party disclosing
Confidential Information.'), and the definitions of one document share most of their words: each uses the others'
terms. The reranker confirmed '(b) "Disclosing Party" means ...' as a restatement of '(a) "Confidential Information"
means any information disclosed by a Disclosing Party ...' at 0.94, and ``dedup clean`` removed the definition
(found by trying it, eighteenth round).
"""

from __future__ import annotations

import re

# A label ("(b)", "1.2"), the term (quoted, or after a label in capitals, up to eight words), and the verb of a
# definition. Prose says "means" too ("The ruling means the council must ...", "This means ..."): a term neither
# quoted nor labelled is none.
_DEFINITION = re.compile(r"\s*(\(?(?:\d+(?:\.\d+)*|[a-z]|[ivx]+)[.)]?\s+)?([\"'\u201c\u2018]?)"
                         r"([^\"'\u201d\u2019.;:]{1,80}?)[\"'\u201d\u2019]?\s+"
                         r"(?:means|shall mean|refers to|is defined as|has the meaning)\b", re.IGNORECASE)


def defined_term(sentence: str) -> str | None:
    """The term ``sentence`` defines, lower-cased with its spacing made one (None when it defines none)."""
    found = _DEFINITION.match(sentence)
    if found is None or len(found.group(3).split()) > 8:
        return None
    label, quote, term = found.groups()
    if not quote and not (label and all(w[:1].isupper() for w in term.split())):
        return None
    return " ".join(term.split()).casefold()


def defines_another(sentence: str, partner: str) -> bool:
    """Whether ``sentence`` and ``partner`` both define a term, and not the same one."""
    mine = defined_term(sentence)
    return mine is not None and defined_term(partner) not in (None, mine)
