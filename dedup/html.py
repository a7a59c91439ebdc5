"""HTML in: the main text of a page, one paragraph per block.

Needs the ``html`` extra (``pip install 'dedup[html]'``).
"""

from __future__ import annotations

import re

FORMATS = ("auto", "text", "html")
_HTML_START = re.compile(r"\A\s*(<!doctype html|<html|<head|<body|<(p|div|article|section|h[1-6])[\s>])", re.I)


class MissingExtraError(ImportError):
    """An optional dependency is not installed."""


def is_html(content: str) -> bool:
    """Whether ``content`` looks like an HTML page or fragment rather than plain text."""
    return bool(_HTML_START.match(content[:2048]))


def html_to_text(html: str) -> str:
    """The page's main text, paragraphs separated by blank lines."""
    try:
        import trafilatura
    except ImportError as err:
        raise MissingExtraError(f"reading HTML needs the html extra: pip install 'dedup[html]' ({err})") from None
    from lxml import etree

    xml = trafilatura.extract(html, output_format="xml", include_comments=False, favor_recall=True)
    if not xml:
        return ""
    root = etree.fromstring(xml.encode("utf-8"))
    for br in root.iter("lb"):  # a line break inside a block starts a new paragraph
        br.tail = "\n" + (br.tail or "")
    blocks = []
    for element in root.iter("head", "p", "item", "quote", "cell"):
        for line in "".join(element.itertext()).splitlines():
            if line.strip():
                blocks.append(" ".join(line.split()))
    return "\n\n".join(blocks)


def as_text(content: str, fmt: str = "auto") -> str:
    """Plain text of ``content``: as given (``"text"``), extracted (``"html"``), or by sniffing (``"auto"``)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "html" or (fmt == "auto" and is_html(content)):
        return html_to_text(content)
    return content
