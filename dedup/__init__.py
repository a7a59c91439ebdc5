"""dedup: near-duplicate and paragraph-redundancy detection.

One call for a scraper::

    from dedup import find_redundancy
    report = find_redundancy(text)      # .paragraphs, .groups, .matches
"""

from .detector import Detector, find_redundancy
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
    "CandidatePair", "Detector", "Group", "Match", "MinHasher", "Paragraph", "Report",
    "Sentence", "SentencePair", "Shingler", "Signature", "find_redundancy", "__version__",
]
