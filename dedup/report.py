"""Write reports: JSON (stable schema), JSON Lines, CSV, and a table for people.

The JSON document object is a contract other tools parse; fields may be
added, never renamed or removed. See README, "JSON output".
"""

from __future__ import annotations

import csv
import json
import textwrap
from typing import IO, Iterable

from . import __version__
from .records import Match, Report

FORMATS = ("table", "json", "jsonl", "csv")
CSV_COLUMNS = ("id", "a", "b", "jaccard", "containment", "cosine", "score", "sentence_a", "sentence_b", "shared_span")


def match_to_dict(match: Match) -> dict:
    return {
        "a": match.a,
        "b": match.b,
        "jaccard": match.jaccard,
        "containment": match.containment,
        "cosine": match.cosine,
        "score": match.score,
        "sentences": [{"a": s.a, "b": s.b, "cosine": s.cosine} for s in match.sentences],
        "spans": [{"text": s.text, "a": list(s.a), "b": list(s.b)} for s in match.spans],
    }


def report_to_dict(report: Report) -> dict:
    """The stable per-document JSON object."""
    return {
        "id": report.id,
        "paragraphs": len(report.paragraphs),
        "groups": [{"paragraphs": list(g.paragraphs), "representative": g.representative} for g in report.groups],
        "matches": [match_to_dict(m) for m in report.matches],
    }


def write_json(reports: Iterable[Report], out: IO[str], params: dict, skipped: list[dict]) -> None:
    payload = {
        "documents": [report_to_dict(r) for r in reports],
        "skipped": skipped,
        "version": __version__,
        "params": params,
    }
    json.dump(payload, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(reports: Iterable[Report], out: IO[str]) -> None:
    for report in reports:
        out.write(json.dumps(report_to_dict(report), ensure_ascii=False) + "\n")


def write_csv(reports: Iterable[Report], out: IO[str], header: bool = True) -> None:
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for report in reports:
        for m in report.matches:
            first = m.sentences[0] if m.sentences else None
            writer.writerow([
                report.id, m.a, m.b, m.jaccard, m.containment, m.cosine, m.score,
                first.a if first else "", first.b if first else "", m.spans[0].text if m.spans else "",
            ])


def _first_words(text: str, width: int = 70) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" ...")


def format_table(report: Report) -> str:
    """A human-readable summary: each group, its paragraphs' first words, the scores."""
    lines = [f"{report.id}: {len(report.paragraphs)} paragraphs, "
             f"{len(report.groups)} restatement groups, {len(report.matches)} matches"]
    if not report.groups:
        lines.append("  no restated paragraphs found")
    by_pair = {(m.a, m.b): m for m in report.matches}
    for n, group in enumerate(report.groups, 1):
        lines.append(f"  group {n}: paragraphs {', '.join(map(str, group.paragraphs))} "
                     f"(representative {group.representative})")
        for p in group.paragraphs:
            lines.append(f"    [{p:>3}] {_first_words(report.paragraphs[p].text)}")
        for a in group.paragraphs:
            for b in group.paragraphs:
                m = by_pair.get((a, b))
                if m:
                    span = f'  shared "{_first_words(m.spans[0].text, 50)}"' if m.spans else ""
                    lines.append(f"      {a:>3} ~ {b:<3} jaccard {m.jaccard:.2f}  containment {m.containment:.2f}"
                                 f"  cosine {m.cosine:.2f}  score {m.score:.2f}{span}")
    return "\n".join(lines) + "\n"


def write_table(reports: Iterable[Report], out: IO[str], first: bool = True) -> None:
    """Tables separated by a blank line; ``first=False`` when earlier tables were already written."""
    for i, report in enumerate(reports):
        if i or not first:
            out.write("\n")
        out.write(format_table(report))
