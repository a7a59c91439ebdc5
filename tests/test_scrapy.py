"""DedupPipeline in a real Scrapy crawl of a small site served on loopback."""

import functools
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

scrapy = pytest.importorskip("scrapy")
pytest.importorskip("trafilatura")

from scrapy.exceptions import DropItem, NotConfigured  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

import dedup  # noqa: E402
from dedup.contrib.scrapy import DedupPipeline  # noqa: E402

from .conftest import ROOT  # noqa: E402

NAV_A = '<header><div class="brand">Riverside Gazette</div><nav><a href="/">Home</a> | <a href="/local">Local</a> | <a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav></header>'
FOOT_A = '<footer><p>Copyright 2024 Riverside Gazette. All rights reserved. Contact the newsroom at news@example.org.</p></footer>'
NAV_B = '<header><div class="logo">Valley Daily Digest</div><ul class="menu"><li><a href="/">Front page</a></li><li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li></ul><div class="ad">Subscribe today and save 50 percent on your first year</div></header>'
FOOT_B = '<footer><p>Valley Daily Digest is published by Digest Media Group. Terms of use. Privacy policy. Cookie settings.</p><p>Follow us on social media for breaking news alerts.</p></footer>'

PARK = [
    "City council approves riverside park after two years of debate",
    "The city council voted seven to two on Tuesday night to approve a new riverside park on the site of the "
    "former grain warehouses, ending a debate that has divided residents for more than two years. The plan "
    "replaces the derelict buildings with lawns, a playground, a boat launch and a walking trail that will "
    "run along the river for almost a mile.",
    "Construction is expected to begin next spring and to take about eighteen months. The project will cost "
    "an estimated fourteen million dollars, most of it covered by a state grant for waterfront restoration, "
    "with the remainder coming from the city's capital budget and a donation from a local foundation that "
    "has supported several parks in the region.",
    "Supporters packed the chamber and cheered when the vote was announced. Maria Lopez, who leads a "
    "neighborhood group that campaigned for the park, said families in the area have had nowhere to play "
    "for decades and that the riverfront had been closed to the public since the warehouses shut down in "
    "the nineteen eighties.",
    "Opponents argued that the land should have been sold to developers to raise money for road repairs. "
    "Councilman Peter Grant, who voted against the plan, said the city faces a backlog of maintenance work "
    "and warned that the park would add to annual operating costs at a time when the budget is already "
    "stretched thin by rising pension obligations.",
]
PARK_NEAR = list(PARK)
PARK_NEAR[3] = PARK[3].replace("Supporters packed the chamber and cheered when the vote was announced.",
                               "Dozens of supporters filled the council chamber and applauded as the result was read out.")

HEAT = [
    "Heat wave forces schools to close early across the county",
    # restates the headline
    "Schools across the county will close early this week because of the heat wave, officials announced on "
    "Monday, as temperatures were forecast to climb above one hundred degrees for the third day in a row and "
    "several older buildings without air conditioning became unsafe for students and staff.",
    "The county health department urged residents to drink plenty of water, to avoid strenuous activity "
    "during the afternoon and to check on elderly neighbors. Cooling centers will remain open at the public "
    "library, the community center and two churches until nine in the evening through Friday.",
    # this one and the last say the same thing
    "The electricity company said demand reached a record on Sunday evening and asked customers to set "
    "thermostats a few degrees higher between four and nine at night. It warned that rolling blackouts could "
    "follow if consumption did not fall, although no outages had been reported so far in the region.",
    "Farmers said the heat was damaging crops that had already suffered from a dry spring. Several growers "
    "reported that corn and soybean fields were wilting and that irrigation ponds were running low, while "
    "cattle ranchers said they had started hauling water to pastures where streams had dried up.",
    "Power company officials reported that electricity demand hit an all-time record on Sunday night and "
    "urged customers to raise their thermostats by a few degrees from four to nine in the evening. Rolling "
    "blackouts could follow if usage did not drop, the company warned, though no outages have been reported "
    "in the region yet.",
]

LIBRARY = [
    "Public library to extend opening hours on weekends",
    "The public library will stay open until eight in the evening on Saturdays and Sundays starting next "
    "month, the library board announced, after a survey found that working parents and students wanted "
    "more time to use the reading rooms, the computers and the children's section at the weekend.",
    "The longer hours will be paid for by shifting part of the budget for printed periodicals to staffing. "
    "The board said most readers now use the digital subscriptions from home, and that circulation of "
    "printed magazines has fallen by more than half over the last five years at every branch.",
    "Librarians will also run a homework club on Sunday afternoons and a series of workshops on job "
    "applications, résumé writing and basic computer skills, which the board said had been the most "
    "requested services in the survey and in comments collected at the front desk over the past year.",
]

MARATHON = [
    "Local runner wins the spring marathon in record time",
    "Jenna Okafor, a physiotherapist who trains before work on the towpath, won the spring marathon on "
    "Sunday in two hours and twenty nine minutes, breaking the course record that had stood for eleven "
    "years and finishing nearly four minutes ahead of the runner who took second place.",
    "More than three thousand people took part in the race, which starts at the stadium, loops through the "
    "old town and finishes by the cathedral. Organizers said the cool, overcast weather helped runners, and "
    "that medical teams treated fewer people for exhaustion than in any previous year of the event.",
    "Okafor said she had planned to run conservatively for the first half and was surprised to find herself "
    "alone at the front after twenty miles. She thanked her club, her coach and the crowds along the "
    "riverside, and said she would now target a qualifying time for the national championships.",
]


def page(paragraphs, nav=NAV_A, foot=FOOT_A):
    head, *body = paragraphs
    ps = "\n".join(f"<p>{p}</p>" for p in body)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{head}</title></head><body>{nav}"
            f"<main><article><h1>{head}</h1>\n{ps}\n</article></main>{foot}</body></html>\n")


PAGES = {
    "park.html": page(PARK),
    "park-copy.html": page(PARK),
    "park-syndicated.html": page(PARK_NEAR, NAV_B, FOOT_B),
    "heat.html": page(HEAT),
    "library.html": page(LIBRARY),
    "marathon.html": page(MARATHON),
}


PAGES_TEXT = {"library.html": LIBRARY, "marathon.html": MARATHON}


# Link order is crawl order: the first copy crawled is the original.
LINKS = ["park.html", "park-copy.html", "park-syndicated.html", "heat.html", "library.html", "marathon.html"]

SPIDER = textwrap.dedent("""
    import json
    import sys

    import scrapy
    from scrapy.crawler import CrawlerProcess


    class SiteSpider(scrapy.Spider):
        name = "site"

        def parse(self, response):
            links = response.css("a::attr(href)").getall()
            for i, href in enumerate(links):  # one request at a time, highest priority first: link order
                yield response.follow(href, self.parse_article, priority=len(links) - i)

        def parse_article(self, response):
            yield {"url": response.url, "html": response.text}


    start, settings, stats_path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    SiteSpider.start_urls = [start]
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler)
    process.start()
    with open(stats_path, "w") as f:
        json.dump({k: v for k, v in crawler.stats.get_stats().items() if k.startswith(("dedup/", "item_"))}, f)
""")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    links = "".join(f'<li><a href="/{name}">{name}</a></li>' for name in LINKS)
    (root / "index.html").write_text(f"<!DOCTYPE html><html><body><ul>{links}</ul></body></html>")
    for name, html in PAGES.items():
        (root / name).write_text(html, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def crawl(site, tmp_path, action):
    """Crawl the site in a subprocess (the reactor cannot restart in pytest); the exported items and stats."""
    (tmp_path / "spider.py").write_text(SPIDER)
    index, out, stats = tmp_path / "index.db", tmp_path / "items.json", tmp_path / "stats.json"
    settings = {
        "ITEM_PIPELINES": {"dedup.contrib.scrapy.DedupPipeline": 300},
        "DEDUP_INDEX": str(index), "DEDUP_FIELD": "html", "DEDUP_ACTION": action,
        "FEEDS": {str(out): {"format": "json"}},
        "CONCURRENT_REQUESTS": 1, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    run = subprocess.run([sys.executable, str(tmp_path / "spider.py"), f"{site}/index.html", json.dumps(settings),
                          str(stats)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    print(f"crawl ({action}) took {time.perf_counter() - started:.1f}s")
    items = json.loads(out.read_text())
    return {item["url"].rsplit("/", 1)[1]: item for item in items}, json.loads(stats.read_text()), index, run.stderr


def test_drop_keeps_the_original_and_drops_its_copies(site, tmp_path):
    items, stats, index, log = crawl(site, tmp_path, "drop")
    assert set(items) == {"park.html", "heat.html", "library.html", "marathon.html"}
    assert all("dedup" not in item for item in items.values())
    assert f"{site}/park-copy.html is a near-duplicate of {site}/park.html" in log
    assert stats["dedup/checked"] == 6 and stats["dedup/dropped"] == 2 and stats["dedup/duplicates"] == 2
    with dedup.Index(str(index)) as ix:  # every crawled page is indexed, the dropped copies too
        assert len(ix) == 6
        assert all(f"{site}/{name}" in ix for name in LINKS)


def test_flag_marks_duplicates_with_the_original(site, tmp_path):
    items, stats, index, _ = crawl(site, tmp_path, "flag")
    assert list(items) == LINKS  # crawled and exported in link order
    verdicts = {name: item["dedup"] for name, item in items.items()}
    for name in ("park-copy.html", "park-syndicated.html"):
        assert verdicts[name]["duplicate"] is True
        assert f"{site}/park.html" in [d["doc"] for d in verdicts[name]["duplicates"]]
    exact = verdicts["park-copy.html"]["duplicates"][0]
    assert exact["doc"] == f"{site}/park.html" and exact["jaccard"] == 1.0
    near = {d["doc"]: d for d in verdicts["park-syndicated.html"]["duplicates"]}[f"{site}/park.html"]
    assert 0.8 <= near["jaccard"] < 1.0  # other navigation and a changed sentence
    for name in ("park.html", "heat.html", "library.html", "marathon.html"):
        assert verdicts[name]["duplicate"] is False and verdicts[name]["duplicates"] == []
    assert items["heat.html"]["html"] == PAGES["heat.html"]  # flag leaves the text alone
    assert [g["paragraphs"] for g in verdicts["heat.html"]["restated"]["groups"]] == [[0, 1], [3, 5]]
    assert all(v["reuse"] == [] for v in verdicts.values())  # distinct stories share no passage
    assert stats["dedup/flagged"] == 6 and stats["dedup/duplicates"] == 2 and "dedup/dropped" not in stats
    with dedup.Index(str(index)) as ix:
        assert len(ix) == 6


def test_strip_removes_restated_paragraphs(site, tmp_path):
    items, stats, _, _ = crawl(site, tmp_path, "strip")
    assert set(items) == set(LINKS)
    heat = items["heat.html"]
    paragraphs = heat["html"].strip().split("\n\n")
    assert "<p>" not in heat["html"]  # the field now holds the cleaned main text
    assert heat["dedup"]["removed_paragraphs"] == [5]
    assert len(paragraphs) == len(HEAT) - 1
    # The headline and the lede that restates it both stay: the headline alone never costs the lede.
    assert paragraphs[0] == HEAT[0] and paragraphs[1] == HEAT[1]
    assert HEAT[3] in paragraphs and HEAT[5] not in paragraphs  # first occurrence kept, its restatement gone
    assert paragraphs == [HEAT[0], HEAT[1], HEAT[2], HEAT[3], HEAT[4]]
    for name in ("library.html", "marathon.html"):
        # Each lede restates its headline as heat's does, in looser words; nothing else restates anything.
        assert items[name]["dedup"]["removed_paragraphs"] == []
        assert items[name]["html"].strip().split("\n\n") == PAGES_TEXT[name]
    assert items["park-copy.html"]["dedup"]["duplicate"] is True  # duplicates are flagged, not dropped
    assert stats["dedup/flagged"] == 6 and stats["dedup/stripped_paragraphs"] >= 1


# -- configuration and items, without a crawl -------------------------------------------------------------------

def pipeline(tmp_path, **settings):
    return DedupPipeline.from_crawler(get_crawler(settings_dict={"DEDUP_INDEX": str(tmp_path / "i.db"), **settings}))


def test_bad_settings_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="DEDUP_ACTION must be one of drop, flag, strip, got 'delete'"):
        pipeline(tmp_path, DEDUP_ACTION="delete")
    with pytest.raises(ValueError, match="DEDUP_JACCARD_THRESHOLD must be in"):
        pipeline(tmp_path, DEDUP_JACCARD_THRESHOLD=1.5)
    with pytest.raises(ValueError, match="DEDUP_JACCARD_THRESHOLD must be a number"):
        pipeline(tmp_path, DEDUP_JACCARD_THRESHOLD="high")
    # The old name is still read for one release, with a warning, and named in its own errors.
    with pytest.warns(DeprecationWarning, match="DEDUP_JACCARD_THRESHOLD"):
        assert pipeline(tmp_path, DEDUP_THRESHOLD="0.6").jaccard_threshold == 0.6
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="DEDUP_THRESHOLD must be in"):
        pipeline(tmp_path, DEDUP_THRESHOLD=1.5)
    # One setting under both names with two values is an error, as for Index's renamed parameters; a boolean is no
    # number (True was read as 1.0).
    with pytest.raises(ValueError, match="DEDUP_THRESHOLD .* is 0.5 and DEDUP_JACCARD_THRESHOLD 0.9: give one"):
        pipeline(tmp_path, DEDUP_THRESHOLD=0.5, DEDUP_JACCARD_THRESHOLD=0.9)
    with pytest.warns(DeprecationWarning):
        assert pipeline(tmp_path, DEDUP_THRESHOLD=0.7, DEDUP_JACCARD_THRESHOLD="0.7").jaccard_threshold == 0.7
    with pytest.raises(ValueError, match="DEDUP_JACCARD_THRESHOLD must be a number, got True"):
        pipeline(tmp_path, DEDUP_JACCARD_THRESHOLD=True)
    with pytest.raises(ValueError, match="DEDUP_FORMAT"):
        pipeline(tmp_path, DEDUP_FORMAT="pdf")
    with pytest.raises(NotConfigured, match="DEDUP_INDEX"):
        DedupPipeline.from_crawler(get_crawler(settings_dict={}))


class Article(scrapy.Item):
    url = scrapy.Field()
    text = scrapy.Field()
    dedup = scrapy.Field()


def test_items_and_missing_fields(tmp_path):
    pipe = pipeline(tmp_path, DEDUP_ACTION="drop", DEDUP_JACCARD_THRESHOLD="0.8")
    pipe.open_spider()
    try:
        # Dropping acts on near-duplicates alone: no restatement or reuse search that nothing would carry.
        assert pipe.index.detector is None and pipe.index.reuse is False
        text = "\n\n".join(LIBRARY)
        first = Article(url="a", text=text)
        assert pipe.process_item(first) is first and "dedup" not in first
        with pytest.raises(DropItem, match="b is a near-duplicate of a"):
            pipe.process_item({"url": "b", "text": text})
        untouched = {"url": "c", "body": text}
        assert pipe.process_item(untouched) == {"url": "c", "body": text}
        assert pipe.stats.get_value("dedup/skipped") == 1
    finally:
        pipe.close_spider()
    with dedup.Index(str(tmp_path / "i.db")) as ix:
        assert len(ix) == 2 and "a" in ix and "b" in ix


def test_a_page_without_text_is_skipped_not_failed(tmp_path, caplog):
    """An empty page, one with no main text or no words is bad data (the index refuses it): passed on unchecked
    and counted as skipped with a warning; ``dedup/failed`` is for the index unreachable or a fault of dedup's."""
    pipe = pipeline(tmp_path)
    pipe.open_spider()
    try:
        pages = ["", "<html><body><script>track()</script></body></html>", "!!! ??? ...", "\n\n".join(LIBRARY)]
        for n, page in enumerate(pages):
            item = {"url": f"p{n}", "text": page}
            assert pipe.process_item(item) is item
        assert pipe.stats.get_value("dedup/skipped") == 3 and pipe.stats.get_value("dedup/failed") is None
        assert pipe.stats.get_value("dedup/checked") == 1
        assert "dedup: p2: text: the text has no words" in caplog.text and "ERROR" not in caplog.text
    finally:
        pipe.close_spider()


def test_an_id_or_a_page_no_index_can_store_is_skipped_not_failed(tmp_path, caplog):
    """A lone surrogate in the id, or more paragraphs than an index holds: bad data, as one in the text is."""
    pipe = pipeline(tmp_path, DEDUP_ACTION="drop")
    pipe.open_spider()
    try:
        items = [{"url": "x\ud800", "text": "Some page text about the harbour and the pier closing."},
                 {"url": "huge", "text": "\n\n".join(f"word{i} text" for i in range(70000))},
                 {"url": "y", "text": "Hello there friends \ud800 and more words here"}]
        for item in items:
            assert pipe.process_item(item) is item
        assert pipe.stats.get_value("dedup/skipped") == 3 and pipe.stats.get_value("dedup/failed") is None
        assert "ERROR" not in caplog.text
    finally:
        pipe.close_spider()


def test_an_item_whose_check_fails_is_passed_on_unchecked(tmp_path, monkeypatch, caplog):
    """A check that raises (the index unreachable, a fault of dedup's) costs the item its check, not the item:
    Scrapy drops an item whose pipeline raises, and a crawl would lose the page."""
    from dedup.index.store import IndexUnavailableError

    pipe = pipeline(tmp_path)
    pipe.open_spider()
    try:
        original = pipe.index.check

        def faulty(doc_id, text, **kwargs):
            if doc_id == "bad":
                raise IndexUnavailableError("the index is gone")
            return original(doc_id, text, **kwargs)
        monkeypatch.setattr(pipe.index, "check", faulty)
        text = "\n\n".join(LIBRARY)
        bad = {"url": "bad", "text": text}
        assert pipe.process_item(bad) is bad and bad == {"url": "bad", "text": text}  # passed on untouched
        assert "dedup: bad: check failed (IndexUnavailableError: the index is gone); passed unchecked" in caplog.text
        good = pipe.process_item({"url": "good", "text": text})
        assert good["dedup"]["duplicate"] is False and good["dedup"]["failed"] == {}
        assert pipe.stats.get_value("dedup/failed") == 1 and pipe.stats.get_value("dedup/checked") == 1
    finally:
        pipe.close_spider()


def test_an_item_whose_restatement_search_fails_keeps_its_verdict(tmp_path, monkeypatch, caplog):
    from dedup.article.detector import Detector
    from tests.robustness.test_search_faults import FAULT, _with_fault

    monkeypatch.setattr(Detector, "detect", _with_fault(Detector.detect))
    pipe = pipeline(tmp_path, DEDUP_ACTION="strip")
    pipe.open_spider()
    try:
        text = "\n\n".join(LIBRARY)
        pipe.process_item({"url": "first", "text": text})
        item = pipe.process_item({"url": "copy", "text": "Marker FAULTY.\n\n" + text})
        assert item["dedup"]["duplicate"] is True and item["dedup"]["duplicates"][0]["doc"] == "first"
        assert item["dedup"]["failed"] == {"restatement_search": f"OverflowError: {FAULT}"}
        assert item["dedup"]["removed_paragraphs"] == [] and item["text"].startswith("Marker FAULTY.")
        assert "restatement search failed" in caplog.text
        assert pipe.stats.get_value("dedup/restatement_search_failed") == 1
    finally:
        pipe.close_spider()


def test_an_empty_id_or_bytes_are_skipped_and_said_as_what_they_are(tmp_path, caplog):
    """Found by trying it: an item with url "" was counted as failed and logged as an error of dedup's; an item
    holding response.body (bytes) was said to lack its text field."""
    pipe = pipeline(tmp_path)
    pipe.open_spider()
    try:
        text = "\n\n".join(LIBRARY)
        for item in ({"url": "", "text": text}, {"url": "  ", "text": text}, {"url": "b", "text": text.encode()}):
            assert pipe.process_item(item) is item
        assert pipe.stats.get_value("dedup/skipped") == 3 and pipe.stats.get_value("dedup/failed") is None
        assert "has an empty id in 'url'" in caplog.text and "ERROR" not in caplog.text
        assert "holds bytes in 'text', not text (decode it: response.text" in caplog.text
    finally:
        pipe.close_spider()


def test_an_id_given_as_bytes_is_the_same_url(tmp_path, caplog):
    """Found by trying it, fifth round: a url kept as bytes was indexed as "b'https://...'", and the same page
    crawled again with a str url was reported as its own duplicate."""
    pipe = pipeline(tmp_path, DEDUP_ACTION="flag")
    pipe.open_spider()
    try:
        text = "\n\n".join(LIBRARY)
        first = pipe.process_item({"url": b"https://example.com/a", "text": text})
        assert first["dedup"]["id"] == "https://example.com/a"
        again = pipe.process_item({"url": "https://example.com/a", "text": text})
        assert again["dedup"]["duplicates"] == []  # re-crawling a URL is not a duplicate
        bad = {"url": b"\xff\xfe", "text": text}
        assert pipe.process_item(bad) is bad and "holds bytes that are not UTF-8 in id field 'url'" in caplog.text
    finally:
        pipe.close_spider()


def test_an_id_given_as_a_one_value_list_is_that_url(tmp_path, caplog):
    """Found by trying it, ninth round: an ItemLoader without TakeFirst gives ["https://..."], which was indexed
    as "['https://...']": not found by remove, and the page crawled again was dropped as its own duplicate. A list
    of several values, a dict or a set is no id: skipped and said so."""
    pipe = pipeline(tmp_path, DEDUP_ACTION="drop")
    pipe.open_spider()
    try:
        text = "\n\n".join(LIBRARY)
        assert pipe.process_item({"url": ["https://example.com/a"], "text": text})
        assert "https://example.com/a" in pipe.index
        assert pipe.process_item({"url": "https://example.com/a", "text": text})  # crawled again: not dropped
        for bad in ({"url": ["https://example.com/b", "https://example.com/c"], "text": text},
                    {"url": {"u": 1}, "text": text}, {"url": ("x", "y"), "text": text}):
            assert pipe.process_item(bad) is bad
        assert pipe.stats.get_value("dedup/skipped") == 3
        assert "holds a list of 2 values in id field 'url', not one id" in caplog.text
        assert "holds a dict of 1 values in id field 'url'" in caplog.text
        assert len(pipe.index) == 1
    finally:
        pipe.close_spider()


def test_ids_in_the_log_cannot_act_on_a_terminal(tmp_path, caplog):
    """Found by trying it, ninth round: the pipeline logged ids as they came, so an id from a page holding ESC
    and CR wiped the log line and printed a fake one; the CLI escapes them (docs/guarantees.md)."""
    pipe = pipeline(tmp_path, DEDUP_ACTION="drop")
    pipe.open_spider()
    try:
        fake = "https://ex.com/a\x1b[2K\r\x1b[32mINFO all pages checked\x1b[0m\n"
        pipe.process_item({"url": fake, "text": "!!! ??? ..."})
        text = "\n\n".join(LIBRARY)
        pipe.process_item({"url": "https://ex.com/original\u202e", "text": text})
        with pytest.raises(DropItem) as dropped:
            pipe.process_item({"url": "https://ex.com/copy\x1b[31m", "text": text})
        logged = caplog.text + str(dropped.value)
        assert "\x1b" not in logged and "\r" not in logged and "\u202e" not in logged
        assert "https://ex.com/a\\x1b[2K\\r" in caplog.text and "\\x1b[31m" in str(dropped.value)
    finally:
        pipe.close_spider()


@pytest.mark.parametrize("action", ["strip", "flag"])
def test_spans_of_a_stripped_or_html_item_index_the_text_it_carries(tmp_path, action):
    """``strip`` replaced the field but left the spans indexing the text before, and ``flag`` on HTML gave spans
    into a main text the item did not carry: ``dedup.text`` is the text checked, where the field is not it."""
    source = (ROOT / "data" / "dev" / "agriculture_drought_aid.txt").read_text(encoding="utf-8")
    own = (ROOT / "data" / "vance_article.txt").read_text(encoding="utf-8")  # restates itself: strip cuts it
    copied = source.split("\n\n")[2:5]
    text = own.rstrip("\n") + "\n\n" + "\n\n".join(copied) + "\n"
    field = text if action == "strip" else "<html><body>" + "".join(
        f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>"
    p = pipeline(tmp_path, DEDUP_ACTION=action)
    p.open_spider()
    try:
        p.process_item({"url": "https://a.example/source", "text": source})
        item = p.process_item({"url": "https://b.example/page", "text": field})
    finally:
        p.close_spider()
    found = item["dedup"]
    assert found["reuse"] and "text" in found
    if action == "strip":
        assert found["removed_paragraphs"] and item["text"] != found["text"] == text
    for record in found["reuse"]:
        start, end = record["a_span"]
        assert found["text"][start:end].startswith(copied[0][:40])
    plain = pipeline(tmp_path / "plain", DEDUP_ACTION="flag")
    (tmp_path / "plain").mkdir()
    plain.open_spider()
    try:
        plain.process_item({"url": "https://a.example/source", "text": source})
        assert "text" not in plain.process_item({"url": "https://b.example/page", "text": text})["dedup"]
    finally:
        plain.close_spider()
