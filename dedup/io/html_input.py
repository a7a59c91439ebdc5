"""HTML in: the main text of a page, one paragraph per block.

trafilatura finds the main content (scripts, styles, navigation, sidebars,
comments and other boilerplate dropped); this module turns its element tree
into dedup's plain-text convention: paragraphs separated by blank lines, with
every ``<p>``, heading, list item, table row and ``<br>``-separated line a
paragraph of its own. ``benchmarks/html_extract.py`` measured the choice.

Needs the ``html`` extra (``pip install 'dedup[html]'``).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from html.parser import HTMLParser

FORMATS = ("auto", "text", "html")
_TAGS = ("html|head|body|p|div|span|article|section|main|header|nav|footer|aside|h[1-6]|ul|ol|li|table|a|img|br|"
         "meta|title|link|script|style|figure|blockquote|pre|form|iframe|noscript|em|strong|b|i")
# A page or fragment: a doctype, an HTML comment or XML prolog, or a known tag, at the start (after spaces).
_HTML_START = re.compile(rf"\A[\s\ufeff]*(<!doctype\s+html|<!--|<\?xml|<({_TAGS})[\s/>])", re.I)
_CLOSING = re.compile(r"</[a-z][a-z0-9]*\s*>|/>|<br\s*>|<!doctype", re.I)
# trafilatura's output tree: elements whose text is a paragraph, and the ones that only group those.
_TEXT_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "cell"})
_GROUPS = frozenset({"body", "main", "doc", "div", "list", "table", "comments"})
_PREFORMATTED = frozenset({"quote", "code"})  # where trafilatura puts a <pre>'s text, line ends and all
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# Elements a page may repeat a paragraph in, word for word (``_with_repeats``): a page of <div>s, not <p>s, lost its
# repeat to the extractor's rescue unnoticed.
_REPEATED_BLOCKS = ("p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "td", "section")
_MAX_CELLS = 20_000  # table cells past which a page is read by the plain extraction (trafilatura: about 1.5 s here)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-\u2013\u2014:\u00b7]\s+")
# favor_recall: as precise as the default and favor_precision on benchmarks/html_extract.py, and about 1.6x
# faster than either there; comments are the readers', not the article.
EXTRACT_OPTIONS = {"include_comments": False, "favor_recall": True, "include_tables": True}


class MissingExtraError(ImportError):
    """An optional dependency is not installed."""


def is_html(content: str) -> bool:
    """Whether ``content`` looks like an HTML page or fragment rather than plain text.

    It must start with markup and close or end a tag somewhere, so a text that
    merely opens with ``<b>`` in a sentence still needs a closing tag to count.
    """
    head = content[:4096]
    return bool(_HTML_START.match(head)) and bool(_CLOSING.search(content[:65536]))


def _import():
    try:
        import trafilatura
        from lxml import etree
        from lxml import html as lxml_html
    except ImportError as err:
        raise MissingExtraError(f"reading HTML needs the html extra: pip install 'dedup[html]' ({err})") from None
    return trafilatura, etree, lxml_html


def html_to_text(html: str) -> str:
    """The page's main text, paragraphs separated by blank lines; ``""`` when it has none."""
    trafilatura, etree, lxml_html = _import()
    if not html.strip():
        return ""
    # Parse once, ourselves: trafilatura refuses a lone fragment ("<p>..</p>") that has no <html> around it,
    # and a str with an XML encoding declaration makes lxml raise; bytes plus a fixed encoding avoids both.
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml_html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):  # "Document is empty" (only a doctype or comment): no main text
        return "\n\n".join(plain_paragraphs(html))
    title = _title(tree)
    # libxml2 drops everything nested deeper than 255 elements: a page whose article sits inside 300 <div>s
    # under its headline was read as the headline alone, and could hide from dedup. The plain extraction
    # reads any depth.
    truncated = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    for template in list(tree.iter("template")):  # inert markup the page never shows; trafilatura kept its text
        try:
            template.drop_tree()
        except ValueError:  # its tail joined to a neighbour's text holds a control character lxml refuses (\f)
            template.clear(keep_tail=True)
    # trafilatura's table handling takes time in the square of a table's cells (200,000 cells: minutes); a page
    # of that many is data, not an article, and the plain extraction reads it in linear time.
    crowded = sum(1 for _ in tree.iter("td", "th")) > _MAX_CELLS
    try:
        document = None if truncated or crowded else trafilatura.bare_extraction(tree, **EXTRACT_OPTIONS)
    # A tree too deep for its recursive walks, or text lxml refuses to set while trafilatura rewrites the tree
    # (a control character): the plain extraction has neither limit.
    except (RecursionError, ValueError):
        document = None
    body = document.body if document is not None else None
    blocks = [] if body is None or _baseline(body) else _paragraphs(body)
    if blocks and all(child.tag in ("p", "head") and not len(child) for child in body):  # a headline too
        blocks = _with_repeats(blocks, tree, html)
    if not blocks:
        blocks = plain_paragraphs(html)
    if not blocks:
        return ""
    # trafilatura keeps the headline out of the body on many layouts; it is part of the article for dedup.
    # Not where the extractor kept the headline itself further down (after a kicker, a byline and a date): added
    # again, it was a restatement of itself.
    if title and not _has_title(title, blocks[:3]) and not _same_words(title, blocks[3:]):
        blocks.insert(0, title)
    return "\n\n".join(blocks)


def _baseline(body) -> bool:
    """Whether trafilatura's body is its baseline fallback, one <p>: the page's whole text, a line per block
    (navigation included), where it found no main content, or an <article>'s text joined by spaces (its
    paragraphs one, a <noscript> inside). The plain extraction drops the navigation and keeps the paragraphs
    apart."""
    return len(body) == 1 and body[0].tag == "p" and not len(body[0])


def _with_repeats(blocks: list[str], tree, html: str) -> list[str]:
    """The plain extraction where the page repeats a paragraph trafilatura kept once, and the plain extraction
    holds every paragraph it kept: a body of bare <p>s is its rescue for short pages, which drops a paragraph
    whose text came before (a restatement, word for word, lost to the one tool meant to find it)."""
    kept = Counter(blocks)
    on_page = Counter(" ".join(p.text_content().split()) for p in tree.iter(*_REPEATED_BLOCKS))
    if not any(on_page[text] > n for text, n in kept.items()):  # the page's own <p>s first: cheap, and mostly no
        return blocks
    plain = plain_paragraphs(html)
    found = Counter(plain)
    if all(found[text] >= n for text, n in kept.items()) and any(found[text] > n for text, n in kept.items()):
        return plain
    return blocks


def _paragraphs(body) -> list[str]:
    """Text of each block of trafilatura's body tree, in order; a table row is one paragraph, cells joined by |."""
    out: list[str] = []
    parts: list[str] = []

    def flush(preformatted: bool = False) -> None:
        joined = "".join(parts)
        parts.clear()
        # A <pre> block (trafilatura's quote or code) keeps its blank lines: they are its paragraph breaks, where
        # a <p>'s blank lines are only spacing. The bundled article in a <pre> was one paragraph, none restated.
        for block in (_BLANK_LINE.split(joined) if preformatted else (joined,)):
            text = " ".join(block.split())
            if text:
                out.append(text)

    def walk(element, in_block: bool, heading: bool = False) -> None:
        tag = element.tag
        if tag == "lb" and heading:  # a headline broken over two lines is one headline
            parts.append(" ")
        elif tag == "lb":  # <br>: a line of its own
            flush()
        elif tag == "row":
            flush()
            cells = [c for c in element if c.tag == "cell"]
            # A layout table (an old site's page in one): a cell of paragraphs is their group, each its own, not
            # one row of text glued together ("HomeNews | Library budget approvedThe city council ...").
            if any(child.tag in _TEXT_BLOCKS or child.tag in ("lb", "list") for cell in cells for child in cell):
                for cell in cells:
                    walk(cell, False)
            else:
                text = " | ".join(t for t in (" ".join("".join(c.itertext()).split()) for c in cells) if t)
                if text:
                    out.append(text)
        # A <code> or <q> inside a paragraph is a word of it ("run the <code>pip install</code> command"), not a
        # block: it split one sentence into three paragraphs.
        elif (tag in _TEXT_BLOCKS and not (in_block and tag in _PREFORMATTED)) or tag in _GROUPS:
            flush()
            # Loose text right under a group is trafilatura's fallback residue (a nav-only page gives
            # <main>Home</main>), not a paragraph.
            block = tag in _TEXT_BLOCKS
            if block and element.text:
                parts.append(element.text)
            for child in element:
                walk(child, block, heading or tag == "head")
            flush(preformatted=tag in _PREFORMATTED)
        else:  # inline: hi, ref, del, graphic ...
            # An inline element whose lines <br>s part holds the page's text (a body of "A<br>B<br>C" comes as one
            # <span>): its first line was dropped as loose text while the lines after each <br> were read.
            if element.text and (in_block or any(child.tag == "lb" for child in element)):
                parts.append(_after_sentence(parts, element.text) if tag in _PREFORMATTED else element.text)
            for child in element:
                walk(child, in_block, heading)
        # The text after a block, a heading or a <br> right under a group is the page's next line ("<h1>..</h1>Text
        # <br>More", "<p>..</p>Text<br>"): it was dropped with the group's own loose text, and such lines were lost.
        if element.tail and (in_block or tag in ("lb",) or tag in _TEXT_BLOCKS):
            parts.append(_after_sentence(parts, element.tail) if tag in _PREFORMATTED else element.tail)

    walk(body, False)
    flush()
    return out


def _after_sentence(parts: list[str], text: str) -> str:
    """``text`` to follow ``parts`` across the edge of a quote or code read inline, a space put first where a
    sentence ends right before it: trafilatura gives a <blockquote> between two runs of loose text as a quote
    inside one paragraph, with no space at its edges, and "services.The" and "years.Organisers" were words
    (a copy inside the quote lost its first and last words). An inline <q> keeps its own spaces."""
    before = parts[-1][-1:] if parts and parts[-1] else ""
    if before and before in _SENTENCE_END and text[:1].isalnum():
        return " " + text
    return text


_SENTENCE_END = frozenset(".!?;:\"'\u201d\u2019)")


# The plain extraction: elements whose text is never the page's (trafilatura drops them too; the title is
# added apart, as for trafilatura's text), and the ones that end a paragraph where they open or close.
_SKIPPED = frozenset({"head", "title", "script", "style", "noscript", "template", "nav", "aside", "footer", "svg",
                      "iframe", "object", "select", "button"})
_BREAKS = frozenset({"p", "div", "br", "hr", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                     "dl", "table", "thead", "tbody", "tfoot", "caption", "section", "article", "main", "header",
                     "blockquote", "pre", "figure", "figcaption", "address", "details", "summary", "fieldset",
                     "form", "body", "html", "center"})
_CELLS = frozenset({"td", "th"})
_IN_HEAD = frozenset({"head", "html", "title", "meta", "link", "style", "script", "base", "noscript", "template"})


class _PlainText(HTMLParser):
    """Text of a page, one paragraph per block, from the standard library's event parser: it keeps no tree,
    so no nesting depth is too deep (libxml2 stops at 255 levels; a recursive walk at Python's 1,000)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._skipping: list[str] = []  # open skipped elements, innermost last
        # Where each tag stands in ``_skipping``: an end tag finds its element without reading the whole stack (a
        # page of thousands of unclosed <svg> took each end tag a pass over all of them).
        self._open: dict[str, list[int]] = {}
        self._pre = 0  # open <pre> elements

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """A ``<![`` section; one the standard library cannot read (``<![a b``, ``<![ x``: it raises
        AssertionError, and one such page stopped a whole scan with a traceback) is skipped to its ``>``, as a
        browser skips a bogus comment."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":  # sloppy pages leave <head> open; the body is read whatever was left open before it
            self._skipping.clear()
            self._open.clear()
        elif tag not in _IN_HEAD and self._skipping == ["head"]:  # HTML5 leaves out </head> and <body>: the first
            self.handle_endtag("head")  # element no head holds opens the body (a deep page read as empty)
        if tag == "pre":
            self._flush()
            self._pre += 1
        if tag in _SKIPPED:
            self._open.setdefault(tag, []).append(len(self._skipping))
            self._skipping.append(tag)
        elif tag in _BREAKS:
            self._flush()
        elif tag in _CELLS:
            self._parts.append(" | ")

    def handle_startendtag(self, tag: str, attrs) -> None:  # <br/>, <hr/>: never opens a skipped element
        if tag in _BREAKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre:  # its blank lines are its paragraph breaks, as on the main path
            self._flush(preformatted=True)
            self._pre -= 1
            return
        if self._open.get(tag):  # closes the innermost such element, and any left open inside it
            at = self._open[tag][-1]
            for inner in self._skipping[at:]:
                self._open[inner].pop()
            del self._skipping[at:]
        elif tag in _BREAKS and not self._skipping:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data)

    def _flush(self, preformatted: bool = False) -> None:
        if self._skipping:
            return
        joined = "".join(self._parts)
        self._parts.clear()
        for block in _BLANK_LINE.split(joined) if preformatted else (joined,):
            text = " ".join(block.split()).strip(" |")
            if text:
                self.paragraphs.append(text)

    def close(self) -> None:
        super().close()
        self._skipping.clear()
        self._open.clear()
        self._flush()


def _without_open_comment(html: str) -> str:
    """``html`` up to a comment opened after the last one closed: it never ends, so the rest of the page is
    comment to a browser, and the standard library's parser (Python 3.11.7's, at least) reads it again at every
    "<!" in it (thousands of "<!--": tens of seconds)."""
    closed = max(html.rfind("-->"), html.rfind("--!>"))
    opened = html.find("<!--", closed + 1)
    return html if opened < 0 else html[:opened]


def plain_paragraphs(html: str) -> list[str]:
    """The text of every block of ``html`` outside scripts, styles, navigation, asides and footers, in order:
    the fallback when trafilatura finds no main text (see ``html_to_text``)."""
    parser = _PlainText()
    parser.feed(_without_open_comment(html))
    parser.close()
    return parser.paragraphs


def _title(tree) -> str:
    """The headline: the <h1> of the article, else og:title, else any <h1>, else <title> less its " | Site" part.

    An <h1> outside <article>/<main> comes after og:title because some sites put their logo in one.
    """
    for xpath in ("//article//h1|//main//h1", "//meta[@property='og:title']/@content", "//h1"):
        for found in tree.xpath(xpath):
            text = " ".join((found if isinstance(found, str) else _spaced_text(found)).split())
            if text:
                return text
    found = tree.findtext(".//title") or ""
    parts = _TITLE_SEPARATORS.split(" ".join(found.split()))
    return max(parts, key=len) if parts else ""


def _spaced_text(element) -> str:
    """``element.text_content()`` with a space for each <br> ("Council approves<br>new budget": one word was made
    of two)."""
    if not any(True for _ in element.iter("br")):
        return element.text_content()
    element = copy.deepcopy(element)
    for br in element.iter("br"):
        br.tail = " " + (br.tail or "")
    return element.text_content()


def _has_title(title: str, blocks: list[str]) -> bool:
    """Whether a block is (nearly) the title itself, so it is not added twice: its words, give or take a few (a
    lede of 8 words restating a headline of 3 was taken for it, and the headline's restatement was lost)."""
    words = set(re.findall(r"\w+", title.lower()))
    for block in blocks:
        other = re.findall(r"\w+", block.lower())
        if len(other) <= len(words) + 3 and len(words & set(other)) >= 0.8 * len(words):
            return True
    return False


def _same_words(title: str, blocks: list[str]) -> bool:
    said = re.findall(r"\w+", title.lower())
    return any(re.findall(r"\w+", block.lower()) == said for block in blocks)


def as_text(content: str, fmt: str = "auto") -> str:
    """Plain text of ``content``: as given (``"text"``), extracted (``"html"``), or by sniffing (``"auto"``)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "html" or (fmt == "auto" and is_html(content)):
        return html_to_text(content)
    return content
