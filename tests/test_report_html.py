"""The HTML report: self-contained, every document text escaped, group colours checked in a real browser.

The browser test drives Debian's chromium through chromedriver (selenium),
headless; ``.ci/run`` installs both. Where they are missing it skips and
says why.
"""

import re
import shutil

import pytest
from click.testing import CliRunner

from dedup.cli import main

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
    assert len(colours) >= 3 and all(len(c) == 1 for c in colours.values())
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
        assert len(markers) >= 3
        assert all(len(set(c)) == 1 for c in markers.values()), markers  # a group's paragraphs alike
        assert len({c[0] for c in markers.values()}) == len(markers)  # each group its own colour
        assert all(set(borders[g]) == set(markers[g]) for g in borders), (borders, markers)
        highlighted = browser.execute_script("return document.querySelectorAll('mark[title]').length")
        assert highlighted > 0
        browser.find_element("css selector", ".para[data-groups]").click()  # the inline script runs
        assert browser.execute_script("return document.querySelectorAll('.para.focus').length") >= 2
        shot = tmp_path / "report.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        browser.quit()
