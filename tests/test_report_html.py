"""The HTML report: self-contained, every document text escaped, group colours checked in a real browser.

The browser test drives Debian's chromium through chromedriver (selenium),
headless; ``.ci/run`` installs both. Where they are missing it skips and
says why.
"""

import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from dedup import find_redundancy
from dedup.cli.main import main
from dedup.records import CorpusReport, DocumentResult, Group, Match, Report, Reuse
from dedup.report.html_report import write_html
from dedup.report.html_reuse import reuse_section
from dedup.text.segment import segment

from .conftest import ARTICLE

HOSTILE = "<script>alert('pwned')</script> Tom & Jerry \"><img src=x onerror=alert(1)>"


def _report(runner, *args) -> str:
    result = runner.invoke(main, ["scan", *args, "-f", "html", "-q"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_article_report_shows_groups_summary_parameters_and_histogram():
    page = _report(CliRunner(), str(ARTICLE))
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert re.search(r"\d+ of 15 paragraphs restate earlier ones; \d+% of the words are redundant", page)
    assert "<svg" in page and "threshold" in page and "&quot;num_perm&quot;" in page and "dedup 0." in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from the network
    # Every paragraph of a group carries that group's colour in its margin marker (a paragraph can
    # restate two claims: one marker each), and its border takes its first group's colour.
    colours: dict[str, set[str]] = {}
    for group, colour in re.findall(r'class="dot" data-group="(g\d+)" style="background:(#[0-9a-f]{6})"', page):
        colours.setdefault(group, set()).add(colour)
    assert len(colours) >= 2 and all(len(c) == 1 for c in colours.values())
    assert len({c.pop() for c in colours.values()}) == len(colours)
    assert 'title="restates paragraph 0 (jaccard' in page and "reranker" in page


def test_every_document_text_is_escaped(tmp_path):
    paragraph = f"The council approved the new harbour budget on Monday, officials said. {HOSTILE}"
    other = "Local farmers expect a late harvest after a cold and wet spring, the growers said."
    (tmp_path / "a.txt").write_text(f"{paragraph}\n\n{other}\n\n{paragraph}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"{paragraph}\n\n{other}\n\n{paragraph}\n", encoding="utf-8")
    page = _report(CliRunner(), str(tmp_path))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "Tom &amp; Jerry &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<script>") == 1  # the report's own few lines
    assert "Near-duplicate documents" in page and "<del>" not in page  # identical copies: an empty diff


def test_cluster_members_are_shown_as_word_diffs(tmp_path):
    base = " ".join(f"word{i}" for i in range(120))
    (tmp_path / "a.txt").write_text(base + " original ending here.", encoding="utf-8")
    (tmp_path / "b.txt").write_text(base + " changed ending here.", encoding="utf-8")
    page = _report(CliRunner(), str(tmp_path))
    assert "<del>original</del>" in page and "<ins>changed</ins>" in page


CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def test_ids_and_paths_show_bidi_and_control_characters_as_escapes_and_texts_stay_as_written(tmp_path):
    """A right-to-left override in an id reversed the rest of its line on the page; the table output
    escapes it (``printable``), and so does the page now, for every name, but not for document texts."""
    text = ARTICLE.read_text(encoding="utf-8") + "\n\nKept as written: \u202ereversed on purpose.\n"
    records = [{"id": "\u202eevil", "text": text}, {"id": "copy\u2066\x1b[31m", "text": text}, {"id": "x", "text": ""}]
    path = tmp_path / "in\u202e.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "html", "-q"])
    assert result.exit_code == 1, result.output  # one record skipped
    page = result.stdout
    assert "<h2>\\u202eevil</h2>" in page and "<h3>\\u202eevil <span" in page  # heading, cluster
    assert "<td>copy\\u2066\\x1b[31m</td>" in page and "copy\\u2066\\x1b[31m against \\u202eevil:" in page
    assert f"<li>{tmp_path}/in\\u202e.jsonl:3: field &#x27;text&#x27; is empty</li>" in page  # a skipped path
    assert "\u202ereversed on purpose." in page  # the text itself, as written
    assert not CONTROLS.search(page.replace("\u202ereversed", ""))


def test_the_reuse_section_shows_ids_with_their_control_characters_escaped():
    reuse = Reuse("\u202ea", "b\u2067", (0, 5), (0, 5), 1.0, 1.0, 1.0, "verbatim")
    section = reuse_section([reuse], {"\u202ea": "Storm \u202eclosed.", "b\u2067": "Storm \u202eclosed."})
    assert "<b>\\u202ea</b>" in section and "<b>b\\u2067</b>" in section
    assert section.count("\u202e") == 2 and "\u2067" not in section  # the two texts' own, as written


TWO_PARAGRAPHS = ("The harbour council approved a budget of four million for the new breakwater on Monday, after "
                  "two years of storms had flooded the quay and closed the fish market for weeks at a time.\n\n"
                  "Fishermen said the work could not start soon enough, and the market traders asked for the "
                  "quay to be raised by a metre before next winter, when the worst of the gales usually come.")


class _Documents(list):
    """The one method of a scan's document list that ``write_html`` uses."""

    def with_reports(self):
        return (d for d in self if d.report is not None)


def _page_of(report: Report) -> str:
    out = io.StringIO()
    write_html(CorpusReport(_Documents([DocumentResult(report.id, len(report.paragraphs), report)]), [], []), out, {})
    return out.getvalue()


def test_summary_counts_every_paragraph_that_restates_an_earlier_one():
    """One group of four whose matches name no sentence pair (each later paragraph restates as a whole):
    three paragraphs restate the first, though no sentence of theirs is paired (it said "0 of 4")."""
    texts = ["Storm closes the schools.", "The schools close for the storm today.", "A storm: schools shut.",
             "Schools are shut by the storm, officials said.", "The weather in Paris is mild."]
    paragraphs = segment("\n\n".join(texts))
    matches = [Match(a, b, 0.3, 0.6, 0.5, 0.9) for a, b in [(0, 1), (0, 2), (1, 3)]]
    page = _page_of(Report("storm.txt", paragraphs, [Group((0, 1, 2, 3))], matches))
    words = [len(t.split()) for t in texts]
    share = round(100 * sum(words[1:4]) / sum(words))  # every word of paragraphs 1-3, and only those
    assert f"3 of 5 paragraphs restate earlier ones; {share}% of the words are redundant." in page
    # On the article: the non-representative members of its groups, each once.
    report = find_redundancy(ARTICLE.read_text(encoding="utf-8"))
    later = {p for g in report.groups for p in g.paragraphs[1:]}
    assert sum(len(g.paragraphs) - 1 for g in report.groups) >= len(later) == 7
    assert f"{len(later)} of 15 paragraphs restate earlier ones" in _report(CliRunner(), str(ARTICLE))


def test_counts_of_one_are_singular(tmp_path):
    first, second = TWO_PARAGRAPHS.split("\n\n")
    (tmp_path / "one.txt").write_text(f"{first}\n\n{first} It was the first vote of the year.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "one.txt"), str(tmp_path / "missing.txt"), "-f", "html",
                                       "-q"])
    assert result.exit_code == 1
    text = re.sub(r"<[^>]+>", " ", result.stdout)
    assert "1 document, 0 near-duplicate clusters, 0 paragraphs repeated across documents, 1 input skipped" in text
    assert "1 of 2 paragraphs restates an earlier one" in text and "1 restatement group:" in text
    assert "restatement candidates inside documents (confirm-stage score): 1 pair " in text
    assert not re.search(r"\b1 (documents|paragraphs|groups|restatement groups|pairs|inputs|near-duplicate "
                         r"clusters|reused passages)\b", text)


def _browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1200,1600"):
        options.add_argument(flag)
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(service=Service(driver), options=options)


def test_report_in_a_real_browser_colours_each_group_alike(tmp_path):
    report = tmp_path / "report.html"
    report.write_text(_report(CliRunner(), str(ARTICLE)), encoding="utf-8")
    browser = _browser()
    try:
        browser.get(report.as_uri())
        colours = browser.execute_script("""
            var out = {markers: {}, borders: {}};
            document.querySelectorAll('.para[data-groups] .dot').forEach(function(d) {
              var g = d.dataset.group;
              (out.markers[g] = out.markers[g] || []).push(getComputedStyle(d).backgroundColor);
            });
            document.querySelectorAll('.para[data-groups]').forEach(function(p) {
              var g = p.dataset.groups.split(' ')[0];
              (out.borders[g] = out.borders[g] || []).push(getComputedStyle(p).borderLeftColor);
            });
            return out;""")
        markers, borders = colours["markers"], colours["borders"]
        assert len(markers) >= 2
        assert all(len(set(c)) == 1 for c in markers.values()), markers  # a group's paragraphs alike
        assert len({c[0] for c in markers.values()}) == len(markers)  # each group its own colour
        assert all(set(borders[g]) == set(markers[g]) for g in borders), (borders, markers)
        highlighted = browser.execute_script("return document.querySelectorAll('mark[title]').length")
        assert highlighted > 0
        browser.find_element("css selector", ".para[data-groups]").click()  # the inline script runs
        assert browser.execute_script("return document.querySelectorAll('.para.focus').length") >= 2
        # Each histogram has a y axis: tick labels counting pairs from 0 up to at least the tallest bar,
        # drawn inside the picture, and a label saying what is counted.
        axes = browser.execute_script("""
            return Array.from(document.querySelectorAll('figure svg')).map(function(svg) {
              var box = svg.getBoundingClientRect(), axis = svg.querySelector('.y-axis');
              return {ticks: axis ? Array.from(axis.querySelectorAll('text.tick')).map(function(t) {
                        var r = t.getBoundingClientRect();
                        return [t.textContent, r.left >= box.left && r.top >= box.top && r.bottom <= box.bottom];
                      }) : null,
                      label: axis && axis.querySelector('text.label').textContent,
                      bars: Array.from(svg.querySelectorAll('rect title')).map(function(t) {
                        return +t.textContent.split(': ')[1]; })};
            });""")
        assert len(axes) == 1  # one article: the candidates' histogram only
        for axis in axes:
            assert axis["ticks"] and all(inside for _, inside in axis["ticks"]), axis
            values = [int(text) for text, _ in axis["ticks"]]
            assert values[0] == 0 and values == sorted(set(values)) and values[-1] >= max(axis["bars"]) > 0
            assert axis["label"] == "pairs"
        # The legend explains the numbered colours: one key per group, in that group's marker colour.
        legend = browser.execute_script("""
            var keys = {};
            document.querySelectorAll('.legend .key').forEach(function(k) {
              keys[k.dataset.group] = [k.textContent, getComputedStyle(k).backgroundColor]; });
            return {text: document.querySelector('.legend').innerText, keys: keys};""")
        groups = find_redundancy(ARTICLE.read_text(encoding="utf-8")).groups
        assert sorted(legend["keys"]) == sorted(markers) and len(legend["keys"]) == len(groups)
        assert all(legend["keys"][g] == [g[1:], markers[g][0]] for g in markers), (legend, markers)
        assert "restatement groups" in legend["text"]
        assert ": paragraphs 0, 1, 2, 4, 5, 8, 11 (first: 0)" in legend["text"]
        later = {p for g in groups for p in g.paragraphs[1:]}
        summary = browser.find_element("css selector", "p.summary").text
        assert summary.startswith(f"{len(later)} of 15 paragraphs restate earlier ones;"), summary
        shot = tmp_path / "report.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        browser.quit()


def test_diffs_keep_paragraph_breaks_in_a_real_browser(tmp_path):
    """Copies of a two-paragraph story: the diff is laid out as the copy is, so a copy with a word changed
    shows its second paragraph on a line of its own; a copy that ran the paragraphs together shows the
    break as removed (a struck pilcrow) and no line break."""
    first, second = TWO_PARAGRAPHS.split("\n\n")
    longest = f"{TWO_PARAGRAPHS} The council meets again in March.\n"  # the representative: the longest copy
    (tmp_path / "a.txt").write_text(longest, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TWO_PARAGRAPHS.replace("Monday", "Tuesday") + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(f"{first} {second}\n", encoding="utf-8")
    page = _report(CliRunner(), str(tmp_path), "--no-within")
    assert "<del>Monday,</del> <ins>Tuesday,</ins>" in page
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    browser = _browser()
    try:
        browser.get(report.as_uri())
        diffs = browser.execute_script("""
            var out = {};
            document.querySelectorAll('.diff').forEach(function(d) {
              out[d.previousElementSibling.textContent.split(' ')[0].split('/').pop()] = {  // "PATH against REP:"
                lines: d.innerText.split('\\n').map(function(l) { return l.trim(); }).filter(Boolean),
                removed: d.querySelectorAll('del.pb').length, added: d.querySelectorAll('ins.pb').length}; });
            return out;""")
        assert sorted(diffs) == ["b.txt", "c.txt"], diffs
        changed, joined = diffs["b.txt"], diffs["c.txt"]
        assert len(changed["lines"]) == 2 and changed["lines"][1].startswith("Fishermen said"), changed
        assert changed["removed"] == changed["added"] == 0
        assert joined["removed"] == 1 and joined["added"] == 0
        assert not any(line.startswith("Fishermen said") for line in joined["lines"]), joined
    finally:
        browser.quit()


def test_long_words_wrap_and_the_parameters_keep_their_lines_in_a_real_browser(tmp_path):
    """A 330-character URL ran off the page (and a 3,000-character string made it 32,000 pixels wide), and the
    Parameters box showed one line of literal "\\n" (its JSON escaped whole)."""
    url = "https://example.com/" + "/".join(f"section-{i}-of-the-site" for i in range(15))
    text = "\n\n".join(["Storm closes coastal highway", f"Read the full report at {url} before Friday.",
                        "x" * 3000, "Read the full report at our site before Friday."]) + "\n"
    article = tmp_path / "storm.txt"
    article.write_text(text, encoding="utf-8")
    report = tmp_path / "report.html"
    report.write_text(_report(CliRunner(), str(article)), encoding="utf-8")
    browser = _browser()
    try:
        browser.get(report.as_uri())
        wide = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
        assert wide[0] <= wide[1], wide
        lines = browser.execute_script(
            "var pres = document.querySelectorAll('pre'); return pres[pres.length - 1].innerText.split('\\n');")
        assert len(lines) > 10 and lines[0] == "{" and any('"num_perm": 128' in line for line in lines), lines[:3]
    finally:
        browser.quit()
