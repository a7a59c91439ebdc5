"""dedup: near-duplicate and paragraph-redundancy detection.

One call for a scraper::

    from dedup import find_redundancy
    report = find_redundancy(text)      # .paragraphs, .groups, .matches

and one for a scraper checking each new page against what it has seen::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)   # .duplicates, .passages
"""

from .corpus import CorpusScanner
from .detector import Detector, find_redundancy
from .index import Index, Verdict
from .minhash import MinHasher, Signature
from .records import (
    CandidatePair,
    Group,
    Match,
    Paragraph,
    Report,
    Sentence,
    SentencePair,
)
from .shingle import Shingler

__version__ = "0.1.0"

__all__ = [
    "CandidatePair", "CorpusScanner", "Detector", "Group", "Index", "Match", "MinHasher", "Paragraph", "Report",
    "Verdict", "Sentence", "SentencePair", "Shingler", "Signature", "find_redundancy", "__version__",
]
