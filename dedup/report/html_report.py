"""One self-contained HTML page of a scan: restatements, near-duplicates, boilerplate.

No network: inline CSS, inline SVG and a few lines of inline JavaScript.
Every text taken from the documents, and every attribute value, goes through
``html.escape``, so a document holding markup cannot run code in the page; ids,
paths and other names also have their control characters (bidi overrides
included) shown as escapes (``formats.html_label``), as the table output does.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from datetime import datetime, timezone
from typing import IO, Mapping

from dedup import __version__
from dedup.cluster.groups import sentence_components
from dedup.io.clean import restated_sentences
from dedup.records import Cluster, CorpusReport, Report
from dedup.report.formats import html_label, match_note
from dedup.report.html_reuse import CSS as REUSE_CSS
from dedup.report.html_reuse import MAX_REUSE, reuse_section  # noqa: F401  (MAX_REUSE: the CLI re-reads what is shown)
from dedup.text.segment import lf_line_ends

PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a0", "#c71585", "#808000", "#9a6324",
           "#000075")
MAX_DOCUMENTS, MAX_CLUSTERS, MAX_PASSAGES, MAX_DIFF_WORDS = 200, 100, 50, 3000
_WORD = re.compile(r"\S+")
# A blank line (spaces allowed) ends a paragraph, as everywhere in dedup's plain-text convention.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_BREAK = "\n\n"  # a paragraph break as a diff token of its own: no word holds whitespace, so none equals it

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em;overflow-wrap:anywhere}
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
.diff .pb{display:block;height:.6em} .diff del.pb,.diff ins.pb{display:inline;height:auto}
.legend{font-size:13px;color:#444;margin:.3em 0 .8em} .legend .key{margin:0 0 0 .6em}
.legend .entry{white-space:nowrap}
"""
_JS = """
document.querySelectorAll('.para[data-groups]').forEach(function(p){
  p.addEventListener('click', function(){
    var g = p.dataset.groups.split(' ')[0];
    p.closest('.doc').querySelectorAll('.para').forEach(function(q){
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
              f"<title>dedup report</title><style>{_CSS}{REUSE_CSS}</style></head><body>\n")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.write(f"<h1>dedup report</h1><p class=\"meta\">dedup {esc(__version__)}, {esc(now)}; "
              f"{plural(len(report.documents), 'document')}, "
              f"{plural(len(report.clusters), 'near-duplicate cluster')}, "
              f"{plural(len(report.passages), 'paragraph')} repeated across documents"
              + (f", {plural(len(report.reuse), 'passage')} reused between documents" if report.reuse else "")
              + (f", {plural(len(skipped), 'input')} skipped" if skipped else "") + "</p>\n")
    documents = [r.report for _, r in zip(range(MAX_DOCUMENTS), report.documents.with_reports())]
    out.write(_histograms(documents, report.clusters, within, params))
    if report.clusters:
        out.write(_clusters(report.clusters[:MAX_CLUSTERS], texts))
    if report.passages:
        out.write(_passages(report))
    if report.reuse:
        out.write(reuse_section(report.reuse, texts))
    for doc in documents:
        out.write(_document(doc))
    if skipped:
        out.write("<h2>Skipped inputs</h2><ul>" + "".join(
            f"<li>{html_label(s['id'])}: {html_label(s['error'])}</li>" for s in skipped) + "</ul>")
    # Each line made printable on its own: escaped whole, the JSON's line breaks were shown as "\n".
    shown = "\n".join(html_label(line) for line in json.dumps(params, indent=2, ensure_ascii=False).splitlines())
    out.write("<h2>Parameters</h2><pre>" + shown + "</pre>\n")
    out.write(f"<script>{_JS}</script></body></html>\n")


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 paragraph"``, ``"2 paragraphs"``: the page reads as English for every count."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def group_of_sentence(doc: Report) -> dict[tuple[int, int], int]:
    """The group (its number) of each matched sentence ``(paragraph, sentence)``, as the detector grouped them."""
    number = {group.paragraphs: g for g, group in enumerate(doc.groups)}
    found = {}
    for members in sentence_components(doc.matches):
        g = number.get(tuple(sorted({p for p, _ in members})))
        if g is not None:
            found.update((member, g) for member in members)
    return found


def restating_paragraphs(doc: Report) -> set[int]:
    """Every paragraph that restates an earlier one: each group's members but its representative (the first).

    Counted from the groups, not from the sentence pairs: a match whose evidence names no sentence pair
    links its paragraphs as wholes, and its later paragraph restates all the same.
    """
    return {p for group in doc.groups for p in group.paragraphs[1:]} | {m.b for m in doc.matches}


def redundant_share(doc: Report) -> int:
    """Percent of the document's words in sentences that restate an earlier paragraph and state nothing it lacks
    (``io.clean.restated_sentences``: what ``dedup clean`` would cut).

    Numerator and denominator count the same words (``\\S+`` runs of the paragraphs' sentences, a
    paragraph without sentences as a whole), each sentence once however many matches name it; a match
    without sentence evidence makes the whole of its later paragraph redundant.
    """
    def words(p) -> list[int]:
        return [len(_WORD.findall(s.text)) for s in p.sentences] or [len(_WORD.findall(p.text))]

    counts = {p.index: words(p) for p in doc.paragraphs}
    restated = {(p, i) for p, i in restated_sentences(doc) if p in counts and i < len(counts[p])}
    restated |= {(m.b, i) for m in doc.matches if not m.sentences and m.b in counts for i in range(len(counts[m.b]))}
    total = sum(map(sum, counts.values()))
    return round(100 * sum(counts[p][i] for p, i in restated) / total) if total else 0


def _summary(doc: Report) -> str:
    restating, n = len(restating_paragraphs(doc)), len(doc.paragraphs)
    verb = "restates an earlier one" if restating == 1 else "restate earlier ones"
    return (f"<p class=\"summary\">{restating} of {plural(n, 'paragraph')} {verb}; "
            f"{redundant_share(doc)}% of the words are redundant.</p>")


def _legend(doc: Report) -> str:
    """What the numbered, coloured markers mean: one entry per group, naming its paragraphs."""
    if not doc.groups:
        return ""
    entries = "".join(
        f"<span class=\"entry\"><span class=\"dot key\" data-group=\"g{g + 1}\" "
        f"style=\"background:{PALETTE[g % len(PALETTE)]}\" title=\"group {g + 1}\">{g + 1}</span>"
        f": paragraphs {', '.join(map(str, group.paragraphs))} "  # a group has two or more
        f"(first: {group.representative}){';' if g + 1 < len(doc.groups) else ''}</span> "
        for g, group in enumerate(doc.groups))
    return (f"<p class=\"legend\">Numbered colours mark {plural(len(doc.groups), 'restatement group')}: "
            "paragraphs with the same number and colour restate the same claim, and the first of them is the "
            f"original; a paragraph in two groups carries two numbers. {entries}</p>")


def _document(doc: Report) -> str:
    groups_of: dict[int, list[int]] = {}
    for g, group in enumerate(doc.groups):
        for p in group.paragraphs:
            groups_of.setdefault(p, []).append(g)
    marks: dict[tuple[int, int], tuple[int, str]] = {}  # (paragraph, sentence) -> (group, tooltip)
    group = group_of_sentence(doc)
    for m in doc.matches:
        note = match_note(m)
        scores = (f"jaccard {m.jaccard:.2f}, containment {m.containment:.2f}, cosine {m.cosine:.2f}"
                  + ("" if m.reranker is None else f", reranker {m.reranker:.2f}") + (f"; {note}" if note else ""))
        for s in m.sentences:
            marks.setdefault((m.b, s.b_index), (group.get((m.b, s.b_index), 0), f"restates paragraph {m.a} ({scores})"))
            marks.setdefault((m.a, s.a_index), (group.get((m.a, s.a_index), 0),
                                                 f"restated by paragraph {m.b} ({scores})"))
    parts = [f"<h2>{html_label(doc.id)}</h2>{_summary(doc)}{_legend(doc)}"]
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
        # dir="auto": an Arabic or Hebrew paragraph reads right to left (its full stop drawn at its first word).
        parts.append(f"<div class=\"para\" dir=\"auto\" id=\"{html_label(doc.id)}-p{p.index}\"{attrs}{style}>{marker}"
                     f"<span class=\"num\">{p.index}</span>{body}</div>")
    # One element a document: groups are numbered per document, and a click highlights its own paragraphs only.
    return "<div class=\"doc\">\n" + "\n".join(parts) + "\n</div>\n"


def _clusters(clusters: list[Cluster], texts: Mapping[str, str]) -> str:
    parts = ["<h2>Near-duplicate documents</h2>"]
    for c in clusters:
        parts.append(f"<h3>{html_label(c.representative)} <span class=\"meta\">(representative) and "
                     f"{len(c.members) - 1} more</span></h3><table><tr><th>member</th><th>jaccard</th>"
                     "<th>containment</th><th>cosine</th></tr>")
        parts += [f"<tr><td>{html_label(m.b)}</td><td>{m.jaccard:.3f}</td><td>{m.containment:.3f}</td>"
                  f"<td>{m.cosine:.3f}</td></tr>" for m in c.matches]
        parts.append("</table>")
        for m in c.matches:
            if c.representative in texts and m.b in texts:
                parts.append(f"<p class=\"meta\">{html_label(m.b)} against {html_label(c.representative)}:</p>"
                             f"<div class=\"diff\">{word_diff(texts[c.representative], texts[m.b])}</div>")
    return "\n".join(parts) + "\n"


def word_diff(old: str, new: str) -> str:
    """Escaped word-level diff: words only in ``old`` in <del>, only in ``new`` in <ins>.

    Laid out as ``new`` is: its paragraph breaks break the diff's lines; a break only ``new`` has is
    also marked as inserted (a pilcrow in <ins>), one only ``old`` has as deleted, without a line break.
    """
    a, b = _diff_tokens(old), _diff_tokens(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_diff_run(a[i1:i2], ""))
        if op in ("delete", "replace"):
            out.append(_diff_run(a[i1:i2], "del"))
        if op in ("insert", "replace"):
            out.append(_diff_run(b[j1:j2], "ins"))
    return " ".join(out)


def _diff_tokens(text: str) -> list[str]:
    """The words of ``text`` with ``_BREAK`` between paragraphs, at most ``MAX_DIFF_WORDS`` tokens."""
    tokens: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(lf_line_ends(text).strip()):  # a CR-only file's breaks too
        words = _WORD.findall(paragraph)
        if words and tokens:
            tokens.append(_BREAK)
        tokens += words
        if len(tokens) >= MAX_DIFF_WORDS:
            break
    return tokens[:MAX_DIFF_WORDS]


def _diff_run(tokens: list[str], tag: str) -> str:
    """One diff opcode's tokens: words escaped and wrapped in ``tag`` (none: unchanged), breaks as blocks."""
    out: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            text = esc(" ".join(words))
            out.append(f"<{tag}>{text}</{tag}>" if tag else text)
            words.clear()

    for token in tokens:
        if token != _BREAK:
            words.append(token)
            continue
        flush()
        if tag == "del":
            out.append('<del class="pb" title="paragraph break removed">\u00b6</del>')
        elif tag == "ins":
            out.append('<ins class="pb" title="paragraph break added">\u00b6</ins><span class="pb"></span>')
        else:
            out.append('<span class="pb"></span>')
    flush()
    return " ".join(out)


def _passages(report: CorpusReport) -> str:
    parts = ["<h2>Passages found in several documents</h2><table><tr><th>documents</th><th>kind</th>"
             "<th>text</th><th>where</th></tr>"]
    for p in report.passages[:MAX_PASSAGES]:
        where = ", ".join(f"{o.doc}#{o.paragraph}" for o in p.occurrences[:5])
        parts.append(f"<tr><td>{p.documents}</td><td>{'boilerplate' if p.boilerplate else 'reused'}</td>"
                     f"<td>{esc(p.text)}</td><td>{html_label(where)}</td></tr>")
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
    """An inline SVG histogram of scores in [0, 1], with the threshold as a red line and a counted y axis."""
    counts = [0] * bins
    for v in values:
        counts[min(int(max(v, 0.0) * bins), bins - 1)] += 1
    step = _tick_step(max(counts))
    ticks = list(range(0, max(max(counts), 1) + step, step))  # the axis ends on a tick at or above the tallest bar
    left, width, height, top = 44, 400, 120, ticks[-1]

    def x(score: float) -> float:  # one mapping of a score to the picture, for bars, threshold and labels
        return left + score * width

    bars = "".join(
        f"<rect x=\"{x(i / bins) + 1:.1f}\" y=\"{height - c * height / top:.1f}\" "
        f"width=\"{width / bins - 2:.1f}\" height=\"{c * height / top:.1f}\" fill=\"#4363d8\">"
        f"<title>{i / bins:.2f}-{(i + 1) / bins:.2f}: {c}</title></rect>" for i, c in enumerate(counts))
    line = (f"<line x1=\"{x(cut):.1f}\" x2=\"{x(cut):.1f}\" y1=\"0\" y2=\"{height}\" stroke=\"red\" "
            f"stroke-width=\"2\"><title>threshold {cut}</title></line>") if cut is not None else ""
    # Each tick label is centred on its tick, but kept inside the picture: the top one would be cut off at y=0.
    axis = (f"<g class=\"y-axis\" font-size=\"11\" fill=\"#444\"><line x1=\"{left}\" x2=\"{left}\" y1=\"0\" "
            f"y2=\"{height}\" stroke=\"#888\"/>" + "".join(
                f"<line x1=\"{left - 4}\" x2=\"{left}\" y1=\"{height - t * height / top:.1f}\" "
                f"y2=\"{height - t * height / top:.1f}\" stroke=\"#888\"/><text class=\"tick\" x=\"{left - 6}\" "
                f"y=\"{min(max(height - t * height / top + 4, 10), height):.1f}\" text-anchor=\"end\">{t}</text>"
                for t in ticks)
            + f"<text class=\"label\" transform=\"rotate(-90)\" x=\"{-height / 2}\" y=\"11\" "
              "text-anchor=\"middle\">pairs</text></g>")
    return (f"<figure><svg width=\"{left + width}\" height=\"{height + 16}\" "
            f"viewBox=\"0 0 {left + width} {height + 16}\" role=\"img\">{axis}{bars}{line}"
            f"<text x=\"{left}\" y=\"{height + 14}\" font-size=\"11\">0</text>"
            f"<text x=\"{left + width - 8}\" y=\"{height + 14}\" font-size=\"11\">1</text></svg>"
            f"<figcaption class=\"meta\">{esc(caption)}: {plural(len(values), 'pair')} (y axis: pairs per bar "
            f"of width {1 / bins:g})" + (f", threshold {esc(cut)} in red" if cut is not None else "")
            + "</figcaption></figure>")


def _tick_step(top: int) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten that reaches ``top`` in at most five ticks above 0."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top <= 5 * step:
                return step
        magnitude *= 10
