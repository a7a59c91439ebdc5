"""One self-contained HTML page of a scan: restatements, near-duplicates, boilerplate.

No network: inline CSS, inline SVG and a few lines of inline JavaScript.
Every text taken from the documents, and every attribute value, goes through
``html.escape``, so a document holding markup cannot run code in the page.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from datetime import datetime, timezone
from typing import IO, Mapping

from . import __version__
from .clean import restated_sentences
from .cluster import sentence_components
from .records import Cluster, CorpusReport, Report

PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a0", "#c71585", "#808000", "#9a6324",
           "#000075")
MAX_DOCUMENTS, MAX_CLUSTERS, MAX_PASSAGES, MAX_DIFF_WORDS = 200, 100, 50, 3000
_WORD = re.compile(r"\S+")

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}
h1,h2,h3{line-height:1.2} .meta{color:#666;font-size:13px} pre{background:#f6f6f6;padding:.5em;overflow:auto}
.para{border-left:6px solid #ddd;padding:.2em .8em;margin:.6em 0;position:relative}
.para .marker{position:absolute;left:-4.4em;width:3.8em;text-align:right}
.dot{display:inline-block;min-width:1.3em;margin-left:2px;border-radius:.65em;color:#fff;font-size:11px;
text-align:center;line-height:1.3em}
.para .num{color:#999;font-size:12px;margin-right:.4em}
mark{background:none;border-bottom:3px solid;cursor:help;padding:0 1px}
.para.focus{background:#fffbe6} .summary{font-weight:600}
table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:2px 6px;font-size:13px;text-align:left}
del{background:#fdd;text-decoration:line-through} ins{background:#dfd;text-decoration:none}
.diff{font-size:13px;background:#fafafa;padding:.5em;border:1px solid #eee}
"""
_JS = """
document.querySelectorAll('.para[data-groups]').forEach(function(p){
  p.addEventListener('click', function(){
    var g = p.dataset.groups.split(' ')[0];
    document.querySelectorAll('.para').forEach(function(q){
      q.classList.toggle('focus', (q.dataset.groups||'').split(' ').indexOf(g) >= 0);
    });
  });
});
"""


def esc(value) -> str:
    """Text or attribute value, escaped (quotes included)."""
    return html.escape(str(value), quote=True)


def write_html(report: CorpusReport, out: IO[str], params: dict, texts: Mapping[str, str] | None = None,
               skipped: list[dict] | None = None) -> None:
    """Write the page for ``report``; ``texts`` (id -> text) lets clusters show word-level diffs."""
    texts = texts or {}
    within = params.get("within") or {}
    out.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              f"<title>dedup report</title><style>{_CSS}</style></head><body>\n")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.write(f"<h1>dedup report</h1><p class=\"meta\">dedup {esc(__version__)}, {esc(now)}; "
              f"{len(report.documents)} documents, {len(report.clusters)} near-duplicate clusters, "
              f"{len(report.passages)} reused passages"
              + (f", {len(skipped)} inputs skipped" if skipped else "") + "</p>\n")
    documents = [r.report for _, r in zip(range(MAX_DOCUMENTS), report.documents.with_reports())]
    out.write(_histograms(documents, report.clusters, within, params))
    if report.clusters:
        out.write(_clusters(report.clusters[:MAX_CLUSTERS], texts))
    if report.passages:
        out.write(_passages(report))
    for doc in documents:
        out.write(_document(doc))
    if skipped:
        out.write("<h2>Skipped inputs</h2><ul>" + "".join(
            f"<li>{esc(s['id'])}: {esc(s['error'])}</li>" for s in skipped) + "</ul>")
    out.write("<h2>Parameters</h2><pre>" + esc(json.dumps(params, indent=2, ensure_ascii=False)) + "</pre>\n")
    out.write(f"<script>{_JS}</script></body></html>\n")


def group_of_sentence(doc: Report) -> dict[tuple[int, int], int]:
    """The group (its number) of each matched sentence ``(paragraph, sentence)``, as the detector grouped them."""
    number = {group.paragraphs: g for g, group in enumerate(doc.groups)}
    found = {}
    for members in sentence_components(doc.matches):
        g = number.get(tuple(sorted({p for p, _ in members})))
        if g is not None:
            found.update((member, g) for member in members)
    return found


def _document(doc: Report) -> str:
    restated = restated_sentences(doc)
    words = [len(_WORD.findall(s.text)) for p in doc.paragraphs for s in p.sentences]
    redundant = sum(len(_WORD.findall(p.sentences[i].text)) for p_index, i in restated
                    for p in [doc.paragraphs[p_index]] if i < len(p.sentences))
    restating = len({p for p, _ in restated})
    share = round(100 * redundant / sum(words)) if sum(words) else 0
    groups_of: dict[int, list[int]] = {}
    for g, group in enumerate(doc.groups):
        for p in group.paragraphs:
            groups_of.setdefault(p, []).append(g)
    marks: dict[tuple[int, int], tuple[int, str]] = {}  # (paragraph, sentence) -> (group, tooltip)
    group = group_of_sentence(doc)
    for m in doc.matches:
        scores = (f"jaccard {m.jaccard:.2f}, containment {m.containment:.2f}, cosine {m.cosine:.2f}"
                  + ("" if m.reranker is None else f", reranker {m.reranker:.2f}"))
        for s in m.sentences:
            marks.setdefault((m.b, s.b_index), (group.get((m.b, s.b_index), 0), f"restates paragraph {m.a} ({scores})"))
            marks.setdefault((m.a, s.a_index), (group.get((m.a, s.a_index), 0),
                                                 f"restated by paragraph {m.b} ({scores})"))
    parts = [f"<h2>{esc(doc.id)}</h2><p class=\"summary\">{restating} of {len(doc.paragraphs)} paragraphs restate "
             f"earlier ones; {share}% of the words are redundant.</p>"]
    for p in doc.paragraphs:
        mine = groups_of.get(p.index, [])
        style = f" style=\"border-left-color:{PALETTE[mine[0] % len(PALETTE)]}\"" if mine else ""
        attrs = f" data-groups=\"{' '.join(f'g{g + 1}' for g in mine)}\"" if mine else ""
        dots = "".join(f"<span class=\"dot\" data-group=\"g{g + 1}\" style=\"background:{PALETTE[g % len(PALETTE)]}\" "
                       f"title=\"group {g + 1}\">{g + 1}</span>" for g in mine)
        marker = f"<span class=\"marker\">{dots}</span>" if mine else ""
        sentences = []
        for i, s in enumerate(p.sentences):
            mark = marks.get((p.index, i))
            if mark:
                color = PALETTE[mark[0] % len(PALETTE)]
                sentences.append(f"<mark style=\"border-color:{color}\" title=\"{esc(mark[1])}\">{esc(s.text)}</mark>")
            else:
                sentences.append(esc(s.text))
        body = " ".join(sentences) if p.sentences else esc(p.text)
        parts.append(f"<div class=\"para\" id=\"{esc(doc.id)}-p{p.index}\"{attrs}{style}>{marker}"
                     f"<span class=\"num\">{p.index}</span>{body}</div>")
    return "\n".join(parts) + "\n"


def _clusters(clusters: list[Cluster], texts: Mapping[str, str]) -> str:
    parts = ["<h2>Near-duplicate documents</h2>"]
    for c in clusters:
        parts.append(f"<h3>{esc(c.representative)} <span class=\"meta\">(representative) and "
                     f"{len(c.members) - 1} more</span></h3><table><tr><th>member</th><th>jaccard</th>"
                     "<th>containment</th><th>cosine</th></tr>")
        parts += [f"<tr><td>{esc(m.b)}</td><td>{m.jaccard:.3f}</td><td>{m.containment:.3f}</td>"
                  f"<td>{m.cosine:.3f}</td></tr>" for m in c.matches]
        parts.append("</table>")
        for m in c.matches:
            if c.representative in texts and m.b in texts:
                parts.append(f"<p class=\"meta\">{esc(m.b)} against {esc(c.representative)}:</p>"
                             f"<div class=\"diff\">{word_diff(texts[c.representative], texts[m.b])}</div>")
    return "\n".join(parts) + "\n"


def word_diff(old: str, new: str) -> str:
    """Escaped word-level diff: words only in ``old`` in <del>, only in ``new`` in <ins>."""
    a, b = _WORD.findall(old)[:MAX_DIFF_WORDS], _WORD.findall(new)[:MAX_DIFF_WORDS]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(esc(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{esc(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{esc(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)


def _passages(report: CorpusReport) -> str:
    parts = ["<h2>Passages found in several documents</h2><table><tr><th>documents</th><th>kind</th>"
             "<th>text</th><th>where</th></tr>"]
    for p in report.passages[:MAX_PASSAGES]:
        where = ", ".join(f"{o.doc}#{o.paragraph}" for o in p.occurrences[:5])
        parts.append(f"<tr><td>{p.documents}</td><td>{'boilerplate' if p.boilerplate else 'reused'}</td>"
                     f"<td>{esc(p.text)}</td><td>{esc(where)}</td></tr>")
    return "\n".join(parts) + "</table>\n"


def _histograms(documents: list[Report], clusters: list[Cluster], within: dict, params: dict) -> str:
    scores = [s for doc in documents for s in doc.candidate_scores]
    cut = within.get("reranker_threshold") or within.get("sentence_threshold")
    parts = ["<h2>Where the thresholds cut</h2>"]
    if scores:
        parts.append(histogram(scores, cut, "restatement candidates inside documents (confirm-stage score)"))
    pair_scores = [max(m.jaccard, m.containment) for c in clusters for m in c.matches]
    if pair_scores:
        parts.append(histogram(pair_scores, params.get("threshold"),
                               "near-duplicate members against their representative (Jaccard or containment)"))
    return "\n".join(parts) + "\n" if len(parts) > 1 else ""


def histogram(values: list[float], cut: float | None, caption: str, bins: int = 20) -> str:
    """An inline SVG histogram of scores in [0, 1], with the threshold as a red line."""
    counts = [0] * bins
    for v in values:
        counts[min(int(max(v, 0.0) * bins), bins - 1)] += 1
    width, height, top = 400, 120, max(counts) or 1
    bars = "".join(
        f"<rect x=\"{i * width / bins + 1:.1f}\" y=\"{height - c * height / top:.1f}\" "
        f"width=\"{width / bins - 2:.1f}\" height=\"{c * height / top:.1f}\" fill=\"#4363d8\">"
        f"<title>{i / bins:.2f}-{(i + 1) / bins:.2f}: {c}</title></rect>" for i, c in enumerate(counts))
    line = (f"<line x1=\"{cut * width:.1f}\" x2=\"{cut * width:.1f}\" y1=\"0\" y2=\"{height}\" stroke=\"red\" "
            f"stroke-width=\"2\"><title>threshold {cut}</title></line>") if cut is not None else ""
    return (f"<figure><svg width=\"{width}\" height=\"{height + 16}\" viewBox=\"0 0 {width} {height + 16}\" "
            f"role=\"img\">{bars}{line}<text x=\"0\" y=\"{height + 14}\" font-size=\"11\">0</text>"
            f"<text x=\"{width - 8}\" y=\"{height + 14}\" font-size=\"11\">1</text></svg>"
            f"<figcaption class=\"meta\">{esc(caption)}: {len(values)} pairs"
            + (f", threshold {esc(cut)} in red" if cut is not None else "") + "</figcaption></figure>")
