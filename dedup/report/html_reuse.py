"""The HTML report's section on passages reused between documents: the two passages side by side, each
highlighted in a little of its own context."""

from __future__ import annotations

import html
from typing import Mapping

from dedup.records import Reuse
from dedup.report.formats import html_label

MAX_REUSE = 50  # records shown (the JSON has all of them)
_CONTEXT = 160  # characters shown before and after a passage
_MAX_SHOWN = 3000  # characters of one passage shown; a longer one is cut in the middle
MAX_ALIGNED = 10  # aligned sentence pairs listed under a passage (the JSON has all of them)
CSS = """
.reuse{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:.6em 0 1.4em}
.reuse>div{border:1px solid #ddd;padding:.4em .8em;font-size:14px;white-space:pre-wrap}
.reuse mark{background:#ffe58a} .reuse .ctx{color:#888}
.aligned{margin:-.8em 0 1.4em;font-size:13px} .aligned td{vertical-align:top;padding:.15em .5em}
"""


def reuse_section(reused: list[Reuse], texts: Mapping[str, str]) -> str:
    """``<h2>`` and one side-by-side block per reused passage (``texts``: id -> text, where known)."""
    parts = [f"<h2>Passages reused between documents</h2><p class=\"meta\">{len(reused)} found"
             + (f"; the first {MAX_REUSE} shown" if len(reused) > MAX_REUSE else "")
             + ". Highlighted: the passage, at its character offsets in each text as read.</p>"]
    for n, r in enumerate(reused[:MAX_REUSE], 1):
        parts.append(f"<h3 id=\"reuse-{n}\">reuse {n}: {_esc(r.kind)}, jaccard {r.jaccard:.2f}, "
                     f"cosine {r.cosine:.2f}</h3><div class=\"reuse\">"
                     f"{_side(r.a, r.a_span, texts.get(r.a))}{_side(r.b, r.b_span, texts.get(r.b))}</div>"
                     + _aligned(r))
    return "\n".join(parts) + "\n"


def _aligned(r: Reuse) -> str:
    """The passage's aligned sentence pairs, folded (the evidence the passage was built from)."""
    if not r.sentences:
        return ""
    rows = "".join(f"<tr><td>{s.cosine:.2f}</td><td>{_esc(s.a)}</td><td>{_esc(s.b)}</td></tr>"
                   for s in r.sentences[:MAX_ALIGNED])
    more = len(r.sentences) - MAX_ALIGNED
    rest = f"<p>... and {more} more in the JSON report</p>" if more > 0 else ""
    return (f"<details class=\"aligned\"><summary>{len(r.sentences)} aligned sentence pair"
            f"{'' if len(r.sentences) == 1 else 's'}</summary><table><tr><th>cosine</th><th>{html_label(r.a)}</th>"
            f"<th>{html_label(r.b)}</th></tr>{rows}</table>{rest}</details>")


def _side(doc_id: str, span: tuple[int, int], text: str | None) -> str:
    head = f"<b>{html_label(doc_id)}</b> [{span[0]}:{span[1]}]\n"
    if text is None:
        return f"<div>{head}(text not available)</div>"
    start, end = span
    passage = text[start:end]
    if len(passage) > _MAX_SHOWN:
        half = _MAX_SHOWN // 2
        passage = passage[:half] + f" [... {len(passage) - 2 * half:,} characters ...] " + passage[-half:]
    before = text[max(start - _CONTEXT, 0):start]
    after = text[end:end + _CONTEXT]
    return (f"<div>{head}<span class=\"ctx\">{'...' if start > _CONTEXT else ''}{_esc(before)}</span>"
            f"<mark>{_esc(passage)}</mark><span class=\"ctx\">{_esc(after)}"
            f"{'...' if end + _CONTEXT < len(text) else ''}</span></div>")


def _esc(value) -> str:
    return html.escape(str(value), quote=True)
