"""Found by trying it, seventeenth round: an international news desk, a technical writer with structured text, a
corpus deduplicator, an auditor of the written promises and an attacker on time. Each test failed before its fix."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import main

ARTICLES = Path(__file__).resolve().parent / "multilingual"


def _clean(tmp_path, source: Path, *options: str) -> str:
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _clean_paragraphs(tmp_path, paragraphs: list[str], *options: str) -> str:
    source = tmp_path / "story.md"
    source.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return _clean(tmp_path, source, *options)


def _scanned_clusters(tmp_path, records: list[dict], *options: str) -> list[list[str]]:
    """The members of each near-duplicate cluster `dedup scan` reports for JSON Lines ``records``, sorted."""
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(source), "--no-within", "--no-reuse", "-f", "json", "-o", str(out),
                                       *options])
    assert result.exit_code == 0, result.output
    return [sorted(c["members"]) for c in json.loads(out.read_text(encoding="utf-8"))["clusters"]]


# 1. An international desk: paragraph 8 repeats paragraph 2 with one fact changed. A sentence in Polish, Czech,
#    Romanian, Danish or Indonesian holding "to", "are", "for" or "The" was read as English, its number words unread
#    ("cztery" for "trzy"); a negation added in Russian, Hindi or Turkish ("не", "नहीं", "değil") was missed where
#    the earlier paragraph held the word in another sentence.
@pytest.mark.parametrize("name", sorted(p.stem for p in ARTICLES.glob("*_fact_*.txt")))
def test_clean_keeps_a_paragraph_with_one_fact_changed_in_other_languages(tmp_path, name):
    source = ARTICLES / f"{name}.txt"
    changed = source.read_text(encoding="utf-8").split("\n\n")[8].strip()
    assert changed in _clean(tmp_path, source)


@pytest.mark.parametrize("name", sorted(p.stem for p in ARTICLES.glob("*_repeat_*.txt")))
def test_clean_still_removes_a_verbatim_repeat_in_other_languages(tmp_path, name):
    source = ARTICLES / f"{name}.txt"
    repeated = source.read_text(encoding="utf-8").split("\n\n")[8].strip()
    assert _clean(tmp_path, source).count(repeated) == 1


# 2. An attacker on time: two texts sharing thousands of separate passages. Each passage was checked against every
#    passage kept before it (64 million checks for 8,000 passages: 16.7 s, 82 s for 16,000); the kept ones are now
#    found by bisection. The same passages are kept as by checking every pair.
def test_passages_overlapping_better_ones_are_dropped_as_by_checking_every_pair():
    import numpy as np

    from dedup.reuse import passages as module
    from dedup.reuse.passages import Passage, without_overlaps

    class Units:  # what the passages' lengths need of a text's units: ten characters a unit
        def length(self, first: int, last: int) -> int:
            return 10 * (last - first) + 8

    rng = np.random.default_rng(7)
    n_units, units = 3000, Units()
    made = []
    for _ in range(1500):
        first, size = int(rng.integers(0, n_units - 20)), int(rng.integers(0, 12))
        seeds = np.array([[first, first], [first + size, first + size]], dtype=np.int64)
        made.append(Passage((first, first + size), (first, first + size), seeds, float(rng.random())))

    def every_pair(passages):
        kept = []
        for p in sorted(passages, key=lambda p: module._weight(p, units, units), reverse=True):
            if module.length(units, p.a) >= 20 and not any(module.overlap(p.a, k.a) for k in kept):
                kept.append(p)
        return sorted(kept, key=lambda p: p.a)

    kept = without_overlaps(made, units, units, 20)
    assert [(p.a, p.cosine) for p in kept] == [(p.a, p.cosine) for p in every_pair(made)]
    assert 200 < len(kept) < 1500
    assert all(x.a[1] < y.a[0] for x, y in zip(kept, kept[1:]))


# 3. A technical writer: a code block with a blank line inside is two paragraphs; the second, repeating an earlier
#    block's end, was removed with its closing fence, and the rest of the file read as code. With --sentences, a
#    numbered item's "1." (read as a sentence) was left behind when the item was cut: "1. 2. Parking ...".
FENCED = ("# Installing the client\n\nThe basic example imports the module and connects to the server.\n\n```python\n"
          "import client\n\nclient.connect(\"https://api.example.com\", timeout=30)\n```\n\nTo see what the client "
          "does on the wire, turn on logging before you connect.\n\n```python\nimport client, logging\n"
          "logging.basicConfig(level=logging.DEBUG)\n\nclient.connect(\"https://api.example.com\", timeout=30)\n```"
          "\n\nAfter connecting, call the status function to check your credentials.\n")


def test_clean_never_leaves_a_code_fence_open(tmp_path):
    source = tmp_path / "guide.md"
    source.write_text(FENCED, encoding="utf-8")
    cleaned = _clean(tmp_path, source)
    assert cleaned.count("```") == FENCED.count("```")
    block = "```python\nimport client\n\nclient.connect(\"https://api.example.com\", timeout=30)\n```"
    source.write_text(f"# The client\n\nConnect with a short timeout.\n\n{block}\n\nThe same again, for the "
                      f"record, after the changelog of this week.\n\n{block}\n", encoding="utf-8")
    twice = _clean(tmp_path, source)  # a whole block said twice: its closing paragraph alone is restated
    assert twice.count("```") in (2, 4) and "The same again" in twice


def test_clean_sentences_leaves_no_list_marker_behind(tmp_path):
    first = "The new office opens on the third floor of the Harbour Building, next to the central railway station."
    second = "Staff should bring their own laptops on the first day, as the desks will not have computers yet."
    text = (f"Moving to the new office\n\n{first} {second}\n\n1. {first}\n2. Parking spaces are allocated by the "
            f"facilities team on request.\n3. {second}\n")
    source = tmp_path / "memo.md"
    source.write_text(text, encoding="utf-8")
    cleaned = _clean(tmp_path, source, "--sentences")
    assert "1. 2." not in cleaned and not any(line.strip() in ("1.", "3.") for line in cleaned.splitlines())


# 4. The technical writer's settings and comparison tables: an on/off word put for another ("enabled" for
#    "disabled", "true", "required", "includes", "free", "off") left the rest of the sentence as it was, and the
#    paragraph was removed; a table whose changed cell ("no" for "yes", "✓" for "✗") the earlier table held in
#    another row was removed with the fact.
FILLER = ["The committee met on a rainy afternoon to discuss the new parking arrangements near the library.",
          "Several residents said they would attend the next public hearing about the proposed bicycle lanes."]


@pytest.mark.parametrize("first, second", [
    ("Automatic backups are enabled by default for every new account created on the hosting platform.",
     "Automatic backups are disabled by default for every new account created on the hosting platform."),
    ("Setting the verbose option to true makes the tool print every request it sends to the remote server.",
     "Setting the verbose option to false makes the tool print every request it sends to the remote server."),
    ("A password is required for every account that connects to the database server from outside the office.",
     "A password is optional for every account that connects to the database server from outside the office."),
    ("The free plan includes export to PDF, sync across devices and priority email support for every user.",
     "The free plan excludes export to PDF, sync across devices and priority email support for every user."),
    ("Parking at the station car park is free for season ticket holders on weekdays and at weekends.",
     "Parking at the station car park is paid for season ticket holders on weekdays and at weekends."),
    ("The heating in the east wing is switched on automatically at six every morning during the winter.",
     "The heating in the east wing is switched off automatically at six every morning during the winter.")])
def test_clean_keeps_a_setting_turned(tmp_path, first, second):
    assert second in _clean_paragraphs(tmp_path, ["Release notes", first, *FILLER, second])


@pytest.mark.parametrize("before, after", [
    ("| export to PDF | yes | yes |\n| sync across devices | no | yes |",
     "| export to PDF | no | yes |\n| sync across devices | no | yes |"),
    ("| Garden Suite | ✓ | ✗ |\n| Sea View Room | ✓ | ✓ |", "| Garden Suite | ✓ | ✓ |\n| Sea View Room | ✓ | ✓ |")])
def test_clean_keeps_a_table_with_one_cell_changed(tmp_path, before, after):
    head = "| item | first | second |\n|---|---|---|\n"
    text = "\n\n".join(["Plans and rooms", "The table below lists what each plan and room offers to its users.",
                        head + before, "Prices are shown per month and per user, billed to the card on file.",
                        head + after]) + "\n"
    source = tmp_path / "tables.md"
    source.write_text(text, encoding="utf-8")
    assert after in _clean(tmp_path, source)
    source.write_text(text.replace(after, before), encoding="utf-8")  # the same table twice: the second goes
    assert _clean(tmp_path, source).count(before) == 1


# 5. The auditor: a record whose own id is the name dedup gave a record without one ("path:1") was skipped as a
#    duplicate, and the note then said that no record has an 'id' field (one has: the field name is right).
def test_an_id_repeating_a_records_given_name_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "coll.jsonl").write_text(
        '{"text": "The harbour board approved the dredging plan on Monday after a long debate about costs."}\n'
        '{"id": "coll.jsonl:1", "text": "A local bakery won the regional bread contest for the third year running."}\n',
        encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", "coll.jsonl", "-f", "json", "-o", "out.json"])
    assert result.exit_code == 1
    assert "duplicate id 'coll.jsonl:1' (first at line 1; a record which has no 'id' is named path:line)" in result.output
    assert "no record has" not in result.output


# 6. A corpus deduplicator: a site's template paragraph filled with each page's figures ("Sunrise is at 6:48 a.m.
#    ... UV index 4") in five pages or more was boilerplate, and `clean --boilerplate` removed every page's figures.
#    A footer said word for word on every page still goes.
def test_clean_boilerplate_keeps_a_template_filled_with_each_pages_figures(tmp_path):
    import random

    rng = random.Random(3)
    ledes = ["A late header settled a tense derby that had been goalless for most of the afternoon.",
             "Heavy rain turned the pitch into a swamp and both managers complained about the conditions.",
             "The visitors' new signing made his debut and was substituted at half time with a hamstring strain.",
             "Supporters protested before kick-off about ticket prices and the club's plans to move grounds.",
             "A penalty decision in the closing minutes sparked angry scenes on the touchline and in the stands.",
             "The home side extended their unbeaten run to eleven games with a disciplined defensive display.",
             "An own goal just before the interval proved decisive in a scrappy contest short on chances.",
             "The goalkeeper saved two penalties, earning a standing ovation from the travelling fans.",
             "Floodlight failure delayed the second half by twenty minutes while engineers repaired a generator.",
             "A teenage academy graduate scored on his first start and dedicated the goal to his grandmother.",
             "The referee was taken off injured after a collision and replaced by the fourth official.",
             "Both sides finished with ten men after two red cards in a bad-tempered second half.",
             "The club captain announced his retirement at the end of the season after seventeen years.",
             "A crowd of over forty thousand watched the first game in the rebuilt stadium.",
             "The manager rested six regular starters ahead of the cup semi-final next weekend.",
             "Fans observed a minute's silence for the club's former chairman, who died this week."]
    footer = "Weather data are supplied by the regional met office and may change without notice to readers."
    records, figures = [], []
    for k, lede in enumerate(ledes):
        filled = (f"Sunrise is at 6:48 a.m. and sunset at 7:40 p.m. The UV index will reach {k % 8 + 2}. Air quality "
                  f"is expected to be moderate with an index of {rng.randint(10, 150)}.")
        figures.append(filled)
        records.append({"id": f"weather{k}", "text": f"Weather for day {k}\n\n{lede}\n\n{filled}\n\n{footer}\n"})
    for path in sorted((Path(__file__).resolve().parents[2] / "data" / "dev").glob("*.txt")):
        records.append({"id": path.stem, "text": path.read_text(encoding="utf-8")})  # the corpus's IDF
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "--boilerplate", "--no-within", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cleaned = {r["id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    for k, filled in enumerate(figures):
        assert filled in cleaned[f"weather{k}"] and footer not in cleaned[f"weather{k}"]


# 7. The corpus deduplicator: a copy cut to its first third (Jaccard about 0.3 against its original) was a candidate
#    of the document bands only half the time, and no option reached their threshold; --document-lsh-threshold does.
def test_document_lsh_threshold_finds_copies_cut_to_a_third(tmp_path):
    records = []
    for path in sorted((Path(__file__).resolve().parents[2] / "data" / "dev").glob("*.txt"))[:12]:
        text = path.read_text(encoding="utf-8")
        words = text.split(" ")
        records += [{"id": path.stem, "text": text}, {"id": f"{path.stem}-third", "text": " ".join(words[:len(words) // 3])}]
    source = tmp_path / "corpus.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(source), "--no-within", "--no-reuse", "--document-lsh-threshold",
                                       "0.15", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["params"]["rows"] <= 2  # the bands tuned lower than the default (3 rows)
    assert sorted(sorted(c["members"]) for c in report["clusters"]) == sorted(
        sorted([r["id"], r["id"] + "-third"]) for r in records[::2])


# 8. The corpus deduplicator: short pages read as plain text, mostly their site's template (navigation, cookie
#    notice, footer: 170 words beside 40-60 of their own), were near-duplicates of each other through it, and
#    `clean` kept one brief of many. A story's copies, in the template or not, are still one cluster.
def test_pages_alike_only_by_their_sites_template_are_no_near_duplicates(tmp_path):
    nav = "Home | World | Business | Technology | Sport | Culture | Opinion | Subscribe"
    cookies = ("We use cookies and similar technologies to improve your experience, to personalise content and ads, "
               "and to analyse our traffic. By clicking accept or continuing to browse the site you agree to our use "
               "of cookies as described in our cookie policy. You can change your preferences at any time.")
    related = "Related: Markets wrap | Weather outlook | Letters to the editor | Crossword"
    footer = ("Copyright 2025 Northern Daily Courier Media Group Limited. All rights reserved. This material may not "
              "be published, broadcast, rewritten or redistributed in whole or in part without prior written "
              "permission. Registered office: 12 Harbour Street, Riverton. Registered in England and Wales.")
    newsletter = ("Sign up for our free morning newsletter to receive the day's top stories, analysis and opinion "
                  "delivered to your inbox every weekday before seven o'clock. You can unsubscribe at any time.")
    dev = sorted((Path(__file__).resolve().parents[2] / "data" / "dev").glob("*.txt"))
    records = []
    for k, path in enumerate(dev[:40]):
        own = " ".join(path.read_text(encoding="utf-8").split("\n\n")[1].split()[:45])  # a brief: its lede
        records.append({"id": f"brief{k}", "text": "\n\n".join([nav, cookies, own, related, footer, newsletter])})
    story = dev[40].read_text(encoding="utf-8")
    records.append({"id": "story-in-template", "text": "\n\n".join([nav, cookies, story, related, footer, newsletter])})
    records.append({"id": "story-bare", "text": story})
    records += [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in dev[41:]]
    clusters = _scanned_clusters(tmp_path, records)
    assert clusters == [["story-bare", "story-in-template"]]


@pytest.mark.parametrize("shape", ["plain", "in a template", "quoted once"])
def test_a_story_copied_by_many_with_a_block_of_their_own_is_one_cluster(tmp_path, shape):
    """The second and third reviewers: 15 copies of a story in 60 documents, each with its own comment block of a
    quarter of the story's length: the story's paragraphs are furniture by their number, but held by those copies
    alone; so too with every page in one site's template, and with one paragraph of the story quoted elsewhere."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parents[2] / "data" /
                                                            "dev").glob("*.txt"))]
    story = max(texts, key=lambda t: len(t.split()))
    others = [t for t in texts if t is not story]
    block = len(story.split()) // 4
    records = [{"id": f"site{k}", "text": f"{story}\n\nComments ({k + 3}): {' '.join(others[k].split()[:block])}"}
               for k in range(15)]
    records += [{"id": f"other{k}", "text": t} for k, t in enumerate(others[15:60])]
    if shape == "in a template":
        head = "Home | News | Sport | Business | Culture | Opinion | Weather | Subscribe to the Evening Courier"
        foot = ("Copyright 2025 Evening Courier Media Limited. All rights reserved. This material may not be published, "
                "broadcast, rewritten or redistributed without permission. Registered office: 4 Quay Street.")
        records = [{**r, "text": f"{head}\n\n{r['text']}\n\n{foot}"} for r in records]
    elif shape == "quoted once":
        quoted = max(story.split("\n\n"), key=len)
        records[15]["text"] += f"\n\n{quoted}"
    clusters = _scanned_clusters(tmp_path, records)
    assert clusters == [sorted(f"site{k}" for k in range(15))]


# 9. The reviewer of this round's fixes: a tie of English and listed words that are English words too ("a reef
#    die", "a gambling den", "Che Guevara") made an English sentence "another language", and a verbatim pull quote
#    was kept; "off" in "laid off" or "off the coast" against a partner's "on Friday", "enables disabled", "walked
#    free ... paid" turned no fact; a "```" inside a "````" block paired fences wrongly and the outer one was left
#    open; a footer's "© 2023" on some pages and "© 2024" on others was no longer boilerplate; a table repeated
#    with its rule re-dashed was kept; "The Guardian" in a Finnish or Hungarian sentence made it English.
RESTATED = [
    ('"We are watching a reef die in slow motion," said Professor Hana Liu of the institute.',
     '"We are watching a reef die in slow motion."'),
    ("Police raided a gambling den in the city centre on Saturday.",
     "On Saturday police raided a gambling den in the city centre."),
    ("Che Guevara was captured in Bolivia in 1967, historians note.",
     "Historians note that Che Guevara was captured in Bolivia in 1967."),
    ("A fishing boat sank near the coast of Crete on Tuesday, the coastguard said.",
     "A fishing boat sank off the coast of Crete early on Tuesday, the coastguard said."),  # two edits: see below
    ("The airline cut 300 jobs on Friday, blaming high fuel costs.",
     "The airline laid off 300 staff on Friday, blaming high fuel costs."),
    ("The new ramp lets disabled visitors reach the gallery for the first time.",
     "The new ramp enables disabled visitors to reach the gallery for the first time."),
    ("The man was released after he paid a fine of 500 pounds.", "The man walked free after he had paid a fine of 500 pounds.")]
# Each restatement above changes more than one place: one changed in one place only is kept, whatever the words
# ("sank off" for "sank near" alone), as "in rats" for "in mice" is (``text.one_change``, eighteenth round).


@pytest.mark.parametrize("first, second", RESTATED)
def test_clean_still_removes_these_english_restatements(tmp_path, first, second):
    assert second not in _clean_paragraphs(tmp_path, [
        first, "The council met on Tuesday evening to discuss the budget for next year.",
        "Residents raised concerns about road repairs and library opening hours.", second])


@pytest.mark.parametrize("first, second", [
    ("The Guardian kertoi maanantaina, että kolme ihmistä kuoli tulvissa Lapissa.",
     "The Guardian kertoi maanantaina, että neljä ihmistä kuoli tulvissa Lapissa."),
    ("A The Guardian szerint három ember halt meg az árvízben kedden.",
     "A The Guardian szerint négy ember halt meg az árvízben kedden.")])
def test_clean_keeps_a_number_word_changed_in_finnish_and_hungarian(tmp_path, first, second):
    assert second in _clean_paragraphs(tmp_path, [first, *FILLER, second])


def test_clean_never_leaves_a_nested_fence_open(tmp_path):
    end = 'client.connect("https://api.example.com", timeout=30)\n```\n````'
    text = ("# Writing the client guide\n\nThe first snippet in the guide shows how to import the module and "
            f"connect.\n\n````markdown\n```python\nimport client\n\n{end}\n\nThe second snippet turns on logging "
            "before it connects, so that readers see the wire traffic.\n\n````markdown\n```python\nimport client, "
            f"logging\nlogging.basicConfig(level=logging.DEBUG)\n\n{end}\n\nAfter the snippets, the guide explains "
            "the status function that checks credentials.\n")
    source = tmp_path / "guide.md"
    source.write_text(text, encoding="utf-8")
    assert _clean(tmp_path, source).count("````") == 4


def test_a_footer_whose_year_changes_is_still_boilerplate(tmp_path):
    topics = ["the harbour bridge repairs", "a new primary school", "the river flood defences", "the tram extension",
              "the hospital car park", "a library closure", "the summer music festival", "the bus fare rise"]
    pages = tmp_path / "pages"
    pages.mkdir()
    for i, topic in enumerate(topics):
        (pages / f"page{i}.txt").write_text(
            f"Council officials gave an update on {topic} at a meeting on day {i + 3} of the month.\n\nResidents "
            f"asked detailed questions about {topic}, its costs and its timetable, and officers promised a written "
            f"answer within {i + 2} weeks.\n\nCopyright © {2023 + i % 2} Riverside Gazette Ltd. All rights reserved. "
            "Registered office: 1 Mill Street, Riverside. Contact the newsroom for more local news.\n",
            encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(pages), "-o", str(out), "--boilerplate"])
    assert result.exit_code == 0, result.output
    assert not any("Copyright" in p.read_text(encoding="utf-8") for p in out.iterdir())


def test_a_table_repeated_with_its_rule_redashed_goes(tmp_path):
    table = "| item | first | second |\n|---|---|---|\n| export to PDF | yes | yes |\n| sync | no | yes |"
    text = "\n\n".join(["Plans", "The table below lists what each plan offers to its users and teams.", table,
                        "Prices are shown per month and per user, billed to the card on file.",
                        table.replace("|---|---|---|", "|------|-----|------|")]) + "\n"
    source = tmp_path / "tables.md"
    source.write_text(text, encoding="utf-8")
    assert "|------|" not in _clean(tmp_path, source)


# 10. The second reviewer: "switched off on Friday" for "switched on on Friday" was removed (the sentence's "on
#     Friday" hid the "on" it lost); 200 near-copies whose edited paragraphs were their own text beside the story's
#     unedited ones (furniture by their number) were kept apart (`test_staged_candidates.py` holds that case).
@pytest.mark.parametrize("first, second", [
    ("Power to the station was switched on on Friday.", "Power to the station was switched off on Friday."),
    ("The plant's main reactor was turned on on Tuesday, officials said.",
     "The plant's main reactor was turned off on Tuesday, officials said.")])
def test_clean_keeps_a_switch_turned_beside_a_day(tmp_path, first, second):
    assert second in _clean_paragraphs(tmp_path, [first, *FILLER, second])
