"""Reused passages between documents (``CorpusReport.reuse``) in every output format."""

from __future__ import annotations

import textwrap
import unicodedata

from dedup.records import Reuse


def reuse_to_dict(reuse: Reuse) -> dict:
    """The JSON record of one reused passage (the ``reuse`` array of ``dedup scan``'s JSON)."""
    return {
        "a": reuse.a, "b": reuse.b, "a_span": list(reuse.a_span), "b_span": list(reuse.b_span),
        "score": reuse.score, "jaccard": reuse.jaccard, "cosine": reuse.cosine, "kind": reuse.kind,
        "sentences": [{"a": s.a, "b": s.b, "cosine": s.cosine} for s in reuse.sentences],
    }


def reuse_csv_row(reuse: Reuse, columns: tuple[str, ...]) -> list:
    """A CSV row of the scan's columns for a reused passage: ``id``/``other`` the two documents, the spans
    as ``start-end``, the first aligned sentence pair."""
    first = reuse.sentences[0] if reuse.sentences else None
    values = {"id": reuse.a, "other": reuse.b, "kind": reuse.kind, "a_span": f"{reuse.a_span[0]}-{reuse.a_span[1]}",
              "b_span": f"{reuse.b_span[0]}-{reuse.b_span[1]}", "jaccard": reuse.jaccard, "cosine": reuse.cosine,
              "score": reuse.score, "sentence_a": first.a if first else "", "sentence_b": first.b if first else ""}
    return [values.get(c, "") for c in columns]


def reuse_lines(reused: list[Reuse], texts: dict[str, str] | None = None, printable=str, limit: int = 50,
                sentences: int = 1) -> list[str]:
    """Table lines: each reused passage, its spans and scores, and the first words of its first ``sentences``
    aligned sentence pairs (with their cosines when more than one is shown)."""
    lines = []
    for n, r in enumerate(reused[:limit], 1):
        lines.append(f"  reuse {n} ({r.kind}): {printable(r.a)} [{r.a_span[0]}:{r.a_span[1]}] ~ "
                     f"{printable(r.b)} [{r.b_span[0]}:{r.b_span[1]}]  jaccard {r.jaccard:.2f}  cosine {r.cosine:.2f}")
        for pair in r.sentences[:sentences]:
            lines.append(f"    a: {printable(first_words(pair.a))}")
            lines.append(f"    b: {printable(first_words(pair.b))}"
                         + (f"  (cosine {pair.cosine:.2f})" if sentences > 1 else ""))
        if len(r.sentences) > sentences > 1:
            more = len(r.sentences) - sentences
            lines.append(f"    ... and {more} more aligned sentences (all of them in --format json)")
    if len(reused) > limit:
        lines.append(f"  ... and {len(reused) - limit} more reused passages (all of them in --format json)")
    return lines


def first_words(text: str, width: int = 70) -> str:
    """The start of ``text`` on one line (each run of whitespace one space) in at most ``width`` columns, " ..."
    where it is cut: at a space, as ``textwrap.shorten`` cuts, or between two characters where no space allows it
    (a long URL; Chinese or Japanese, whose characters take two columns each): ``textwrap.shorten`` alone left
    only "..." of a paragraph of Chinese."""
    flat = " ".join(text.split())
    columns = [1] * len(flat) if flat.isascii() else [2 if unicodedata.east_asian_width(c) in "WF" else 1
                                                       for c in flat]
    if sum(columns) <= width:
        return flat
    if max(columns) == 1:
        short = textwrap.shorten(flat, width=width, placeholder=" ...")
        if short != "...":
            return short
    room, used = width - len(" ..."), 0
    for end, size in enumerate(columns):
        if used + size > room:
            return flat[:end].rstrip() + " ..."
        used += size
    return flat  # not reached: the columns add up to more than ``room``
