"""Choose the HTML main-text extractor by measurement on real-looking news pages.

Generates ``--pages`` news pages (seeded, deterministic) around known main
paragraphs: title, standfirst, body paragraphs with inline links and
emphasis, subheadings, bulleted lists, tables, paragraphs split by ``<br>``,
and all the usual furniture around them (nav menu, header with search,
cookie banner, share buttons, topic tags, author bio, newsletter prompt,
"read more" links and ad slots inside the story, sidebars of related-article
headlines and teasers, comments, footer, inline scripts, styles, JSON-LD).
Four layouts: semantic HTML5, ``<div>``-only markup, an old one-``<div>``
story with ``<br><br>`` between paragraphs, and a blog with comments.

For each extractor it prints
- P: precision, the share of extracted words that belong to a main paragraph
  (boilerplate counts against it; a main paragraph extracted twice does not),
- R: recall, the share of main paragraphs found: an extracted block contains
  it after normalization (lower case, words only), or the two overlap in at
  least 90% of the tokens of the longer one,
- title, items, <br>, rows: the share of titles found, and of list items,
  ``<br>``-separated lines and table rows that came out as paragraphs of
  their own,
- pages/s on one core (the fastest of ``--repeat`` passes), and how many
  pages gave no text at all.

The verdict takes the fastest extractor within 0.01 F1 of the best.

    python benchmarks/html_extract.py [--pages 200 --seed 7 --repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

# --- A small English news grammar, so stop-word based extractors see real-looking prose. ---

SUBJECTS = ("The city council", "Local officials", "The health ministry", "Researchers at the university",
            "The company's chief executive", "Opposition lawmakers", "Residents of the northern district",
            "The regional transport authority", "Union leaders", "A spokesperson for the agency",
            "Environmental groups", "The central bank", "Investigators", "Teachers across the region",
            "The football club's owners", "Hospital managers", "The mayor's office", "Several economists",
            "Farmers in the valley", "The energy regulator", "Police", "The school board", "Parents",
            "Small business owners", "The prime minister", "The finance committee", "Airport staff")
NAMES = ("Maria Okafor", "James Lindqvist", "Priya Raman", "Tomasz Nowak", "Helen Achterberg", "Diego Salas",
         "Aisha Karimi", "Robert Finch", "Yuki Tanaka", "Fiona McBride", "Samuel Osei", "Ingrid Halvorsen",
         "Carlos Mendes", "Leila Haddad", "Peter Brandt", "Grace Mwangi", "Oliver Strand", "Nadia Petrova")
ROLES = ("a senior analyst", "the head of the local chamber of commerce", "a professor of economics",
         "a former minister", "the council's deputy leader", "a nurse at the central hospital",
         "a spokesperson for the union", "the director of the museum", "a resident of the area for thirty years")
VERBS = ("said", "warned", "confirmed", "argued", "estimated", "reported", "suggested", "acknowledged",
         "insisted", "announced", "predicted", "admitted")
OBJECTS = ("the new budget", "a plan to expand the railway line", "rising energy prices",
           "the proposed housing development", "the ageing water treatment plant", "a shortage of nurses",
           "next year's elections", "the repairs to the old bridge", "the closure of the steel works",
           "a new tax on sugary drinks", "the flood defences along the river", "the hospital's emergency ward",
           "the contract for the new ferries", "plans for a second airport terminal", "the school meals programme",
           "the cost of public transport", "the redevelopment of the harbour", "the wind farm off the coast",
           "the library opening hours", "a ban on cars in the old town", "the pension reform",
           "the shortage of affordable homes", "the new recycling scheme", "the delayed tram project")
PREDICATES = ("would cost more than {n} million euros", "could be delayed until {month}",
              "would affect about {n},000 households", "needed a further review before any decision",
              "was expected to reopen in {month}", "would double the number of inspections",
              "had been underfunded for more than a decade", "was likely to face legal challenges",
              "would create around {n}0 jobs in the area", "was still being discussed with the unions",
              "had already gone {n} percent over budget", "would be put to a public vote in {month}",
              "was the most important issue for voters", "had not been properly explained to the public",
              "should have been approved years ago", "would be financed by a loan from the state bank")
TAILS = ("", "", "", " by the end of the year", " according to figures released on {day}",
         ", though critics said the measures did not go far enough", ", a move that surprised many observers",
         " after months of negotiations", ", despite protests outside the town hall on {day}",
         " in a statement published late on {day}", ", and that a final decision was expected in {month}")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HEADINGS = ("What happens next", "A long road to agreement", "Concerns over {o}", "Why it matters",
            "The numbers behind {o}", "Reaction from residents", "Questions about {o}", "A decade of delays",
            "Who pays for {o}", "Looking ahead")
SECTIONS = ("Home", "World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Culture",
            "Opinion", "Travel", "Weather", "Video", "Podcasts", "Local")
SITES = ("The Morning Ledger", "Valley Courier", "Harbour Times", "The Northern Post", "City Gazette")


def _fill(rng: random.Random, template: str) -> str:
    return template.format(n=rng.randint(2, 95), month=rng.choice(MONTHS), day=rng.choice(DAYS),
                           o=rng.choice(OBJECTS))


def sentence(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.25:
        who = f"{rng.choice(NAMES)}, {rng.choice(ROLES)},"
    elif kind < 0.35:
        return f'"{_fill(rng, rng.choice(PREDICATES)).capitalize()} and everyone here knows it," ' \
               f"{rng.choice(NAMES)} {rng.choice(VERBS)}."
    else:
        who = rng.choice(SUBJECTS)
    text = f"{who} {rng.choice(VERBS)} that {rng.choice(OBJECTS)} {rng.choice(PREDICATES)}{rng.choice(TAILS)}."
    return _fill(rng, text)


def paragraph(rng: random.Random, low: int = 2, high: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def headline(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(('back', 'reject', 'question', 'delay', 'defend', 'review'))} " \
           f"{rng.choice(OBJECTS)}"
    return text[0].upper() + text[1:]


def list_item(rng: random.Random) -> str:
    text = f"{rng.choice(OBJECTS)} {_fill(rng, rng.choice(PREDICATES))}"
    return text[0].upper() + text[1:] + "."


# --- Pages ---


@dataclass
class Page:
    html: str
    title: str
    gold: list[str] = field(default_factory=list)      # every main paragraph, title included
    items: list[str] = field(default_factory=list)     # list items (also in gold)
    br_lines: list[tuple[str, str]] = field(default_factory=list)  # lines split by one <br> (also in gold)
    rows: list[str] = field(default_factory=list)      # table rows, cells joined by " | " (also in gold)


def _linked(rng: random.Random, text: str) -> str:
    """Put a link or emphasis on a few words of a paragraph, as news sites do."""
    words = text.split(" ")
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(words))
        j = min(len(words), i + rng.randint(1, 4))
        tag = rng.choice(('a href="/topics/{}"'.format(rng.randint(1, 999)), "strong", "em"))
        words[i] = f"<{tag}>{words[i]}"
        words[j - 1] = f"{words[j - 1]}</{tag.split()[0]}>"
    return " ".join(words)


def _script(rng: random.Random) -> str:
    chunk = "".join(f"var _0x{rng.randint(0, 1 << 24):06x}=function(a,b){{return a.push(b)&&'{rng.random():.6f}'}};"
                    for _ in range(rng.randint(150, 400)))
    return f"<script>{chunk}window.dataLayer=window.dataLayer||[];</script>"


def _style(rng: random.Random) -> str:
    rules = "".join(f".c{rng.randint(0, 9999)}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xffffff):06x}}}"
                    for _ in range(rng.randint(80, 200)))
    return f"<style>{rules}</style>"


def _nav(rng: random.Random) -> str:
    links = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in rng.sample(SECTIONS, 10))
    return f'<nav class="main-menu"><ul>{links}</ul></nav>'


def _cookie() -> str:
    return ('<div id="cookie-banner" class="cookie-consent"><p>We use cookies to personalise content and ads, to '
            "provide social media features and to analyse our traffic. You can change your choices at any time in "
            "the privacy settings.</p><button>Accept all</button><button>Manage settings</button></div>")


def _share() -> str:
    return ('<div class="share-buttons"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> '
            '<a href="#">Email this article</a> <a href="#">Copy link</a></div>')


def _newsletter(rng: random.Random) -> str:
    edition = rng.choice(("morning", "evening", "weekly"))
    return (f'<div class="newsletter-signup"><h3>Get the {edition} briefing</h3><p>Sign up for our free newsletter '
            "and get the most important stories of the day delivered to your inbox every morning.</p>"
            "<form><input type=email placeholder='Your email'><button>Subscribe</button></form></div>")


def _related(rng: random.Random) -> str:
    items = "".join(f'<li><a href="/news/{rng.randint(10000, 99999)}">{headline(rng)}</a>'
                    f"<p>{sentence(rng)}</p></li>" for _ in range(rng.randint(3, 6)))
    return f'<aside class="sidebar related"><h3>Most read</h3><ul>{items}</ul></aside>'


def _more_stories(rng: random.Random) -> str:
    items = "".join(f'<div class="teaser"><a href="/news/{rng.randint(10000, 99999)}">{headline(rng)}</a></div>'
                    for _ in range(rng.randint(4, 8)))
    return f'<div class="more-stories"><h2>More from {rng.choice(SECTIONS)}</h2>{items}</div>'


def _comments(rng: random.Random) -> str:
    comments = "".join(f'<div class="comment"><span class="user">reader{rng.randint(1, 9999)}</span>'
                       f"<p>{paragraph(rng, 1, 2)}</p><a href='#'>Reply</a></div>" for _ in range(rng.randint(3, 7)))
    return f'<section id="comments" class="comments"><h3>Comments ({rng.randint(3, 90)})</h3>{comments}</section>'


def _footer(rng: random.Random, site: str) -> str:
    links = " | ".join(f'<a href="/{x.lower().replace(" ", "-")}">{x}</a>'
                       for x in ("About us", "Contact", "Advertise", "Privacy policy", "Terms of use", "Careers"))
    return (f'<footer class="site-footer"><p>{links}</p><p>&copy; {rng.randint(2015, 2025)} {site}. All rights '
            "reserved. No part of this site may be reproduced without our permission.</p></footer>")


def _jsonld(title: str, body: list[str], site: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "articleBody": " ".join(body), "publisher": {"@type": "Organization", "name": site}}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _read_more(rng: random.Random) -> str:
    link = f'<a href="/news/{rng.randint(1, 99999)}">{headline(rng)}</a>'
    return f'<p class="read-more"><strong>Read more:</strong> {link}</p>'


def _table(rng: random.Random) -> tuple[str, list[str]]:
    rows = [["Project", "Cost (million euros)", "Completion"]]
    rows += [[rng.choice(OBJECTS).capitalize(), str(rng.randint(2, 900)),
              f"{rng.choice(MONTHS)} {rng.randint(2025, 2031)}"] for _ in range(rng.randint(3, 5))]
    cells = "".join("<tr>" + "".join(f"<t{'h' if r == 0 else 'd'}>{c}</t{'h' if r == 0 else 'd'}>" for c in row)
                    + "</tr>" for r, row in enumerate(rows))
    return f"<table>{cells}</table>", [" | ".join(row) for row in rows]


def _tags(rng: random.Random) -> str:
    links = "".join(f'<li><a href="/topics/{s.lower()}">{s}</a></li>' for s in rng.sample(SECTIONS, 4))
    return f'<div class="tags"><span>Topics</span><ul>{links}</ul></div>'


def _bio(name: str, site: str) -> str:
    return (f'<div class="author-bio"><p>{name} covers local politics and public services for {site}. '
            "Follow her reporting on social media or send tips to the newsroom.</p></div>")


def make_page(rng: random.Random, layout: str) -> Page:
    site = rng.choice(SITES)
    title = headline(rng)
    page = Page("", title, [title])
    body: list[str] = []  # HTML of the story, in order
    standfirst = sentence(rng)
    page.gold.append(standfirst)
    paragraphs = [paragraph(rng) for _ in range(rng.randint(5, 9))]
    heading_at = set(rng.sample(range(2, len(paragraphs)), k=min(rng.randint(0, 2), len(paragraphs) - 2)))
    list_at = rng.randrange(2, len(paragraphs)) if rng.random() < 0.5 else -1
    br_at = rng.randrange(1, len(paragraphs)) if rng.random() < 0.5 else -1
    extra_at = rng.randrange(1, len(paragraphs)) if rng.random() < 0.6 else -1
    table_at = rng.randrange(1, len(paragraphs)) if layout != "oldstory" and rng.random() < 0.25 else -1
    div_only = layout in ("divs", "oldstory")
    p_open, p_close = ('<div class="text">', "</div>") if div_only else ("<p>", "</p>")
    for i, text in enumerate(paragraphs):
        if i in heading_at:
            head = _fill(rng, rng.choice(HEADINGS))
            page.gold.append(head)
            body.append(f'<div class="subhead"><b>{head}</b></div>' if div_only else f"<h2>{head}</h2>")
        if i == br_at:  # a paragraph whose two parts are separated by one line break
            second = paragraph(rng, 1, 2)
            page.gold += [text, second]
            page.br_lines.append((text, second))
            body.append(f"{p_open}{_linked(rng, text)}<br>{second}{p_close}" if layout != "oldstory"
                        else f"{_linked(rng, text)}<br>\n{second}")
        else:
            page.gold.append(text)
            body.append(f"{p_open}{_linked(rng, text)}{p_close}" if layout != "oldstory" else _linked(rng, text))
        if i == extra_at:  # in-article furniture: a "read more" link or an ad slot
            body.append(_read_more(rng) if rng.random() < 0.6 else '<div class="ad-slot">Advertisement</div>')
        if i == table_at:
            table, rows = _table(rng)
            body.append(table)
            page.gold += rows
            page.rows += rows
        if i == list_at:
            items = [list_item(rng) for _ in range(rng.randint(3, 5))]
            page.gold += items
            page.items += items
            if layout == "oldstory":
                body.append("<br>\n".join(f"- {x}" for x in items))
            else:
                body.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
    date = f'<time datetime="2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}">{rng.choice(DAYS)}</time>'
    author = rng.choice(NAMES)
    byline = f'<div class="byline">By {author} | {date}</div>'
    head = (f"<head><meta charset='utf-8'><title>{title} | {site}</title>"
            f"<meta property='og:title' content=\"{title}\">{_style(rng)}{_script(rng)}"
            f"{_jsonld(title, page.gold[1:], site)}</head>")
    header = (f'<header class="masthead"><a class="logo" href="/">{site}</a>{_nav(rng)}'
              '<form class="search"><input placeholder="Search"></form>'
              '<a href="/subscribe" class="cta">Subscribe from 1 euro a week</a></header>')
    ad = '<div class="ad-slot">Advertisement</div>'
    extras = [_share(), _tags(rng), _bio(author, site)] + ([_newsletter(rng)] if rng.random() < 0.7 else [])
    comments = _comments(rng) if layout == "blog" or rng.random() < 0.25 else ""
    if layout == "semantic":
        story = (f"<main><article><h1>{title}</h1><p class='standfirst'>{standfirst}</p>{byline}{extras[0]}"
                 f"{''.join(body)}{''.join(extras[1:])}</article>{comments}{_related(rng)}</main>")
    elif layout == "divs":
        story = (f'<div id="content"><div class="headline">{title}</div><div class="summary">{standfirst}</div>'
                 f'{byline}{extras[0]}<div class="article-body">{"".join(body)}</div>{"".join(extras[1:])}'
                 f"{comments}</div>{_related(rng)}")
    elif layout == "oldstory":
        story = (f'<div class="main"><div class="story"><h1>{title}</h1>{byline}<div class="storytext">'
                 f'<i>{standfirst}</i><br><br>\n{"<br><br>".join(body)}</div>{"".join(extras)}</div>{comments}'
                 f"</div>{_related(rng)}")
    else:  # blog
        story = (f'<div class="post"><h1 class="post-title">{title}</h1>{byline}<div class="post-body">'
                 f'<p><em>{standfirst}</em></p>{"".join(body)}</div>{"".join(extras)}</div>{comments}'
                 f"{_related(rng)}")
    page.html = (f"<!DOCTYPE html><html lang='en'>{head}<body>{_cookie()}{header}{ad}{story}{_more_stories(rng)}"
                 f"{ad}{_footer(rng, site)}{_script(rng)}</body></html>")
    return page


def make_pages(n: int, seed: int) -> list[Page]:
    layouts = ("semantic", "divs", "oldstory", "blog")
    return [make_page(random.Random(seed * 100_003 + i), layouts[i % len(layouts)]) for i in range(n)]


# --- Scoring ---

_WORD = re.compile(r"\w+")


def norm(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _find(needle: list[str], hay: list[str]) -> int:
    """Start of ``needle`` as a contiguous run of ``hay``, or -1."""
    if not needle or len(needle) > len(hay):
        return -1
    first = needle[0]
    for i in range(len(hay) - len(needle) + 1):
        if hay[i] == first and hay[i:i + len(needle)] == needle:
            return i
    return -1


def _overlap(a: list[str], b: list[str]) -> float:
    return sum((Counter(a) & Counter(b)).values()) / max(len(a), len(b), 1)


@dataclass
class Score:
    words: int = 0
    main_words: int = 0
    gold: int = 0
    found: int = 0
    titles: int = 0
    items: int = 0
    items_alone: int = 0
    br: int = 0
    br_alone: int = 0
    rows: int = 0
    rows_alone: int = 0
    empty: int = 0
    seconds: float = 0.0


def _where(gold: list[str], blocks: list[list[str]]) -> int:
    """Index of the block that holds ``gold``: the same words, else containing them, else the best >= 0.9 overlap."""
    for b, block in enumerate(blocks):
        if block == gold:
            return b
    for b, block in enumerate(blocks):
        if _find(gold, block) >= 0:
            return b
    best, where = 0.9, -1
    for b, block in enumerate(blocks):
        overlap = _overlap(gold, block)
        if overlap >= best:
            best, where = overlap, b
    return where


def _alone(parts: list[str], blocks: list[list[str]]) -> int:
    """How many of ``parts`` were found in a block that holds no other part."""
    alone = 0
    for part in parts:
        b = _where(norm(part), blocks)
        alone += b >= 0 and all(_find(norm(o), blocks[b]) < 0 for o in parts if o != part)
    return alone


def score_page(page: Page, text: str, s: Score) -> None:
    blocks = [norm(b) for b in re.split(r"\n", text or "") if norm(b)]
    if not blocks:
        s.empty += 1
    covered = [bytearray(len(b)) for b in blocks]
    gold_blocks = {}
    for g in page.gold:
        tokens = norm(g)
        s.gold += 1
        b = _where(tokens, blocks)
        gold_blocks[g] = b
        if b < 0:
            continue
        s.found += 1
        start = _find(tokens, blocks[b])
        span = range(start, start + len(tokens)) if start >= 0 else range(len(blocks[b]))
        for i in span:
            covered[b][i] = 1
    for block, cover in zip(blocks, covered):
        s.words += len(block)
        s.main_words += sum(cover)
    s.titles += gold_blocks[page.title] >= 0
    s.items += len(page.items)
    s.items_alone += _alone(page.items, blocks)
    s.rows += len(page.rows)
    s.rows_alone += _alone(page.rows, blocks)
    for first, second in page.br_lines:
        s.br += 1
        a, b = gold_blocks[first], gold_blocks[second]
        s.br_alone += a >= 0 and b >= 0 and a != b


# --- Candidates ---


def dedup_html_to_text(html: str) -> str:
    from dedup.io.html_input import html_to_text

    return html_to_text(html)


def dedup_precision(html: str) -> str:
    """dedup.io.html_input, with trafilatura's favor_precision instead of favor_recall."""
    from dedup.io import html_input as module

    saved = module.EXTRACT_OPTIONS
    module.EXTRACT_OPTIONS = {**saved, "favor_recall": False, "favor_precision": True}
    try:
        return module.html_to_text(html)
    finally:
        module.EXTRACT_OPTIONS = saved


def trafilatura_txt(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, output_format="txt", include_comments=False, favor_recall=True) or ""


_DROP = "script, style, noscript, nav, header, footer, aside, form, iframe, svg"


def selectolax_justext(html: str) -> str:
    """selectolax drops the obvious furniture fast, then jusText classifies the remaining paragraphs."""
    import justext
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    paragraphs = justext.justext(tree.html, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def naive_selectolax(html: str) -> str:
    """Every text node of the body, scripts and styles removed: what a hand-rolled scraper does."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    return tree.body.text(separator="\n") if tree.body else ""


CANDIDATES: dict[str, Callable[[str], str]] = {
    "trafilatura tree (dedup.io.html_input)": dedup_html_to_text,
    "same, favor_precision": dedup_precision,
    "trafilatura txt": trafilatura_txt,
    "selectolax + jusText": selectolax_justext,
    "naive selectolax .text()": naive_selectolax,
}


def _blocks(text: str) -> str:
    """Blank-line separated paragraphs (dedup's convention) as one block per line, for scoring."""
    return "\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def run(pages: list[Page], extract: Callable[[str], str], blank_line_blocks: bool, repeat: int) -> Score:
    s = Score()
    extract(pages[0].html)  # warm-up: imports and caches
    texts = []
    for _ in range(repeat):  # the fastest pass counts: the others paid for whatever else the machine did
        started = time.perf_counter()
        texts = [extract(page.html) for page in pages]
        elapsed = time.perf_counter() - started
        s.seconds = min(s.seconds, elapsed) if s.seconds else elapsed
    for page, text in zip(pages, texts):
        score_page(page, _blocks(text) if blank_line_blocks else text, s)
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per extractor (the fastest counts)")
    args = parser.parse_args()
    pages = make_pages(args.pages, args.seed)
    size = sum(len(p.html) for p in pages) / len(pages)
    print(f"{len(pages)} pages, {size / 1024:.0f} KiB on average, {sum(len(p.gold) for p in pages)} main paragraphs "
          f""
          f"({sum(len(p.items) for p in pages)} list items, {sum(len(p.br_lines) for p in pages)} <br> splits, "
          f"{sum(len(p.rows) for p in pages)} table rows)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    columns = ("P", "R", "F1", "title", "items", "<br>", "rows")
    header = f"{'extractor':30} " + " ".join(f"{c:>6}" for c in columns) + f" {'pages/s':>8} {'empty':>6}"
    print(header)
    print("-" * len(header))
    results = {}
    for name, extract in CANDIDATES.items():
        # dedup.io.html_input separates paragraphs by blank lines; the others give one paragraph per line.
        try:
            s = run(pages, extract, blank_line_blocks=name.startswith(("trafilatura tree", "same,")),
                    repeat=args.repeat)
        except ImportError as err:  # a competitor not installed (pip install selectolax justext ...): said, not fatal
            print(f"{name:30} not installed ({err.name})")
            continue
        p, r = s.main_words / max(s.words, 1), s.found / s.gold
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        results[name] = (f1, len(pages) / s.seconds)
        shares = (p, r, f1, s.titles / len(pages), s.items_alone / max(s.items, 1), s.br_alone / max(s.br, 1),
                  s.rows_alone / max(s.rows, 1))
        print(f"{name:30} " + " ".join(f"{x:6.3f}" for x in shares) + f" {len(pages) / s.seconds:8.1f} {s.empty:6d}")
    top = max(f1 for f1, _ in results.values())
    # Within 0.01 F1 of the best, speed decides: the synthetic pages cannot rank closer than that.
    best = max((n for n in results if results[n][0] >= top - 0.01), key=lambda n: results[n][1])
    print(f"\nverdict: {best}: F1 {results[best][0]:.3f} (best {top:.3f}) at {results[best][1]:.0f} pages/s, "
          "the fastest within 0.01 F1 of the best")


if __name__ == "__main__":
    main()
