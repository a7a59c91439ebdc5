"""A Scrapy item pipeline that checks every scraped page against a persistent ``dedup.Index``.

Needs the ``scrapy`` extra (``pip install 'dedup[scrapy]'``); HTML fields need the ``html`` extra too.
"""

from __future__ import annotations

import functools
import logging
import warnings

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from dedup.index.core import Index
from dedup.io.clean import clean
from dedup.io.html_input import FORMATS
from dedup.report.formats import printable, verdict_to_dict
from dedup.util.faults import Failed, attempt
from dedup.util.validate import TextRefused, check_fraction, lone_surrogate

logger = logging.getLogger(__name__)

ACTIONS = ("drop", "flag", "strip")


class DedupPipeline:
    """Drop, flag or strip scraped items that repeat pages or paragraphs seen before.

    Each item's text (or HTML: the page's main text is extracted) is checked against
    the index and then added to it under the item's id, so the first copy crawled is
    the original and later copies are its duplicates. Enable it with::

        ITEM_PIPELINES = {"dedup.contrib.scrapy.DedupPipeline": 300}
        DEDUP_INDEX = "news.db"

    Parameters
    ----------
    DEDUP_INDEX : str
        Where the index lives, as ``dedup.Index`` takes it: a SQLite file
        (``news.db``, ``sqlite:///news.db``) or Redis (``redis://host:6379/0?prefix=news``).
        Required: without it the pipeline is disabled (``NotConfigured``).
    DEDUP_JACCARD_THRESHOLD : float, default=0.8
        Shingle Jaccard (or containment) at which a page is a near-duplicate; in (0, 1] (``Index``'s
        ``jaccard_threshold``). ``DEDUP_THRESHOLD``, its old name, is still read for one release, with a
        warning.
    DEDUP_FIELD : str, default="text"
        The item field holding the page's text or HTML. Items without it pass untouched.
    DEDUP_ID_FIELD : str, default="url"
        The item field naming the document in the index (and in verdicts).
    DEDUP_ACTION : {"drop", "flag", "strip"}, default="flag"
        ``"drop"``: near-duplicates raise ``DropItem``; other items pass unchanged.
        ``"flag"``: every item gets a ``dedup`` field, the verdict as a dict
        (``duplicate``, ``duplicates``, ``passages``, ``reuse``: passages shared with pages crawled
        before, with character spans into both, ``restated``; see ``dedup.report.formats.verdict_to_dict``).
        ``"drop"`` searches neither restatements nor shared passages (nothing would carry them).
        ``"strip"``: as ``"flag"``, and ``DEDUP_FIELD`` is replaced by the page's main
        text without its restated paragraphs (each claim's first occurrence is kept);
        ``dedup.removed_paragraphs`` numbers those taken out.
        The spans and paragraph numbers of ``dedup`` index the text checked; where the field does not hold
        it as it is (an HTML page: its main text; a list of paragraphs; ``"strip"``: the text before its
        paragraphs were taken out), ``dedup.text`` is that text.
    DEDUP_FORMAT : {"auto", "text", "html"}, default="auto"
        How the field is read: plain text, HTML, or sniffed.

    Stats: ``dedup/checked``, ``dedup/duplicates``, ``dedup/dropped``, ``dedup/flagged``,
    ``dedup/stripped`` (items that lost paragraphs), ``dedup/stripped_paragraphs``,
    ``dedup/skipped`` (items without the field or id, or whose id or text the index refuses: empty, no main text,
    no words, a lone surrogate, too many paragraphs; each logged as a warning and passed on unchecked),
    ``dedup/failed`` (items whose check raised: the index could not be read or written, or a fault of dedup's;
    each is logged as an error and passed on unchecked, never dropped) and ``dedup/restatement_search_failed`` /
    ``dedup/reuse_search_failed`` (items one of whose searches raised: logged, and the verdict's other results
    used; ``dedup.failed`` says which).

    Checks run in the reactor thread (tens of milliseconds a page): the index is one
    connection, opened in ``open_spider`` and closed in ``close_spider``. Several
    crawler processes may share one index (SQLite file or Redis).
    """

    def __init__(self, index: str, jaccard_threshold: float = 0.8, field: str = "text", id_field: str = "url",
                 action: str = "flag", fmt: str = "auto", stats=None) -> None:
        if not index:
            raise NotConfigured("DEDUP_INDEX is not set (e.g. DEDUP_INDEX = 'news.db')")
        check_fraction("DEDUP_JACCARD_THRESHOLD", jaccard_threshold)
        if action not in ACTIONS:
            raise ValueError(f"DEDUP_ACTION must be one of {', '.join(ACTIONS)}, got {action!r}")
        if fmt not in FORMATS:
            raise ValueError(f"DEDUP_FORMAT must be one of {', '.join(FORMATS)}, got {fmt!r}")
        self.location, self.jaccard_threshold, self.field, self.id_field = index, jaccard_threshold, field, id_field
        self.action, self.fmt, self.stats = action, fmt, stats
        self.index: Index | None = None

    @classmethod
    def from_crawler(cls, crawler) -> "DedupPipeline":
        s = crawler.settings
        name, old = "DEDUP_JACCARD_THRESHOLD", s.get("DEDUP_THRESHOLD")
        if old is not None:
            if s.get(name) is not None and _number(name, s.get(name)) != _number("DEDUP_THRESHOLD", old):
                raise ValueError(f"DEDUP_THRESHOLD (the old name of DEDUP_JACCARD_THRESHOLD) is {old!r} and "
                                 f"DEDUP_JACCARD_THRESHOLD {s.get(name)!r}: give one")
            warnings.warn("DEDUP_THRESHOLD is now called DEDUP_JACCARD_THRESHOLD; the old name goes in the next "
                          "release", DeprecationWarning, stacklevel=2)
            name = name if s.get(name) is not None else "DEDUP_THRESHOLD"
        threshold = _number(name, s.get(name, 0.8))
        check_fraction(name, threshold)  # named as the crawler's settings spell it
        return cls(s.get("DEDUP_INDEX"), threshold, s.get("DEDUP_FIELD", "text"), s.get("DEDUP_ID_FIELD", "url"),
                   str(s.get("DEDUP_ACTION", "flag")).lower(), str(s.get("DEDUP_FORMAT", "auto")).lower(),
                   crawler.stats)

    def open_spider(self, spider=None) -> None:
        # "drop" acts on near-duplicates alone: a page's own restatements and the passages it shares with
        # others (most of a check's time) are searched only where the item carries them.
        searched = self.action != "drop"
        self.index = Index(self.location, jaccard_threshold=self.jaccard_threshold, within=searched, reuse=searched)

    def close_spider(self, spider=None) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None

    def _count(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"dedup/{key}", n)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        content, doc_id = adapter.get(self.field), adapter.get(self.id_field)
        if isinstance(content, (list, tuple)) and all(isinstance(c, str) for c in content):
            content = "\n\n".join(content)  # a list of paragraphs, e.g. from a selector's getall()
        # An ItemLoader without TakeFirst gives ["https://..."]: str() made the id "['https://...']", which remove
        # never found and which was its own duplicate when the page was crawled again.
        if isinstance(doc_id, (list, tuple)) and len(doc_id) == 1:
            doc_id = doc_id[0]
        if isinstance(doc_id, (bytes, bytearray)):  # response.url is text, a URL kept as bytes the same URL:
            try:  # str() made it "b'https://...'", and the page crawled again was its own duplicate
                doc_id = bytes(doc_id).decode("utf-8")
            except UnicodeDecodeError:
                pass  # refused by ``_unusable``
        problem = _unusable(content, doc_id, self.field, self.id_field)
        shown = printable(str(doc_id))  # ids come from pages: a control character in one must not act on a terminal
        if problem is not None:
            logger.warning("dedup: item %s; passed unchecked (fields: %s)", problem, sorted(adapter.keys()))
            self._count("skipped")
            return item
        try:
            verdict = attempt(functools.partial(self.index.check, add=True, fmt=self.fmt), str(doc_id), content,
                              raises=(TextRefused,))
        except TextRefused as err:  # an empty page, one with no main text or no words: bad data, not a failure
            logger.warning("dedup: %s: %s; passed unchecked", shown, err)
            self._count("skipped")
            return item
        if isinstance(verdict, Failed):  # the index unreachable, a text it cannot take, a fault of dedup's: kept
            logger.error("dedup: %s: check failed (%s); passed unchecked", shown, verdict.error)
            self._count("failed")
            return item
        self._count("checked")
        for step, problem in verdict.failed.items():  # a search that raised: the verdict's other results stand
            logger.error("dedup: %s: %s failed (%s); its other results are kept", shown, step.replace("_", " "),
                         problem)
            self._count(f"{step}_failed")
        if verdict.is_duplicate:
            self._count("duplicates")
        if self.action == "drop":
            if verdict.is_duplicate:
                self._count("dropped")
                originals = ", ".join(printable(m.b) for m in verdict.duplicates)
                raise DropItem(f"{shown} is a near-duplicate of {originals}")
            return item
        found = verdict_to_dict(verdict)
        if self.action == "strip":
            removed: tuple[int, ...] = ()
            text = verdict.text
            if verdict.restated is not None:
                cleaned = clean(verdict.restated, source=verdict.text)
                text, removed = cleaned.text, cleaned.removed_paragraphs
            adapter[self.field] = text
            found["removed_paragraphs"] = list(removed)
            if removed:
                self._count("stripped")
                self._count("stripped_paragraphs", len(removed))
        # Spans and paragraph numbers index the text checked: where the field does not hold it as it is (an HTML
        # page's main text, a list of paragraphs joined, a stripped text), the verdict carries it.
        if adapter.get(self.field) != verdict.text:
            found["text"] = verdict.text
        try:
            adapter["dedup"] = found
        except KeyError:  # a scrapy.Item class without the field
            raise KeyError(f"{type(item).__name__} needs a 'dedup' field for DEDUP_ACTION={self.action!r}: "
                           "declare dedup = scrapy.Field()") from None
        self._count("flagged")
        return item


def _number(name: str, value) -> float:
    """A setting's number (Scrapy's command line gives strings); a ``ValueError`` naming it otherwise, for a
    boolean too (``True`` was read as 1.0)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _unusable(content, doc_id, field: str, id_field: str) -> str | None:
    """Why an item cannot be checked (said in the log as it is, then counted as skipped), or None."""
    if content is None:
        return f"lacks text field {field!r}"
    if isinstance(content, (bytes, bytearray)):
        return f"holds bytes in {field!r}, not text (decode it: response.text, not response.body)"
    if not isinstance(content, str):
        return f"holds a {type(content).__name__} in {field!r}, not text"
    if isinstance(doc_id, (bytes, bytearray)):
        return f"holds bytes that are not UTF-8 in id field {id_field!r}"
    if isinstance(doc_id, (list, tuple, dict, set, frozenset)):  # its repr would be the id, never the page's
        return f"holds a {type(doc_id).__name__} of {len(doc_id)} values in id field {id_field!r}, not one id"
    if isinstance(doc_id, str) and lone_surrogate(doc_id) is not None:  # no index can store it: bad data
        return f"holds a lone surrogate in id field {id_field!r}"
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
        return f"lacks id field {id_field!r}" if doc_id is None else f"has an empty id in {id_field!r}"
    return None
