"""dedup: near-duplicate and paragraph-redundancy detection.

One call for a scraper::

    from dedup import find_redundancy
    report = find_redundancy(text)      # .paragraphs, .groups, .matches

and one for a scraper checking each new page against what it has seen::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)   # .duplicates, .passages

and one for the passages two documents share::

    for reuse in dedup.align_texts(text_a, text_b):    # .a_span, .b_span, .kind, .sentences
        print(text_a[reuse.a_span[0]:reuse.a_span[1]])

The names below are loaded on first use (PEP 562): ``import dedup`` and ``dedup --help`` load neither
scikit-learn nor scipy, which took about 2 s of every start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "CorpusScanner": "corpus.scanner", "Detector": "article.detector", "find_redundancy": "article.detector",
    "Index": "index.core", "Verdict": "index.verdicts", "MinHasher": "sketch.minhash", "Signature": "sketch.minhash",
    "Shingler": "sketch.shingle",
    "CandidatePair": "records", "Group": "records", "Match": "records", "Paragraph": "records",
    "Report": "records", "Sentence": "records", "SentencePair": "records",
    "CorpusReport": "records", "Cluster": "records", "DocumentMatch": "records", "DocumentResult": "records",
    "Passage": "records", "Occurrence": "records", "Reuse": "records", "ReusedSentence": "records",
    "align_texts": "reuse.align", "AlignSettings": "reuse.align", "ReuseSearch": "reuse.search",
}

# A literal list, as type checkers read it: ``tests/test_import.py`` keeps it equal to ``_EXPORTS``.
__all__ = [
    "AlignSettings", "CandidatePair", "Cluster", "CorpusReport", "CorpusScanner", "Detector", "DocumentMatch",
    "DocumentResult", "Group", "Index", "Match", "MinHasher", "Occurrence", "Paragraph", "Passage", "Report", "Reuse",
    "ReuseSearch", "ReusedSentence", "Sentence", "SentencePair", "Shingler", "Signature", "Verdict", "align_texts",
    "find_redundancy", "__version__",
]

# For type checkers and IDEs; at run time ``__getattr__`` loads them. The literal ``__all__`` above re-exports
# them for ``mypy --strict`` (``no_implicit_reexport``); a computed one left every name private to it.
if TYPE_CHECKING:
    from dedup.article.detector import Detector, find_redundancy
    from dedup.corpus.scanner import CorpusScanner
    from dedup.index.core import Index
    from dedup.index.verdicts import Verdict
    from dedup.records import (
        CandidatePair,
        Cluster,
        CorpusReport,
        DocumentMatch,
        DocumentResult,
        Group,
        Match,
        Occurrence,
        Paragraph,
        Passage,
        Report,
        Reuse,
        ReusedSentence,
        Sentence,
        SentencePair,
    )
    from dedup.reuse.align import AlignSettings, align_texts
    from dedup.reuse.search import ReuseSearch
    from dedup.sketch.minhash import MinHasher, Signature
    from dedup.sketch.shingle import Shingler


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
