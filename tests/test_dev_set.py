"""The labelled development set (data/dev, docs/labelling.md) and evaluate.py's per-kind figures."""

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dedup.article.evaluate import KINDS, Gold, counts, recall_by_kind, score
from dedup.records import Group, Match, Paragraph, Report
from dedup.text.segment import segment

from .conftest import GOLD

DEV = Path(__file__).resolve().parent.parent / "data" / "dev"
GOLD_FILES = sorted(DEV.glob("*.gold.json"))
SPLITS = {"dev", "heldout"}


def _load(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    text = (DEV / data["document"]).read_text(encoding="utf-8")
    return data, [p.text for p in segment(text)]


def _words(text):
    return re.findall(r"\w+", text.lower())


def _contains_run(longer, shorter):
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def test_every_article_has_its_gold_file():
    texts = {p.stem for p in DEV.glob("*.txt")}
    golds = {p.name.removesuffix(".gold.json") for p in GOLD_FILES}
    assert texts == golds
    assert len(GOLD_FILES) >= 20


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_is_valid(path):
    data, paragraphs = _load(path)
    assert data["document"] == path.name.removesuffix(".gold.json") + ".txt"
    assert data["split"] in SPLITS
    assert 12 <= len(paragraphs) <= 20, len(paragraphs)
    assert "\n" not in paragraphs[0], "paragraph 0 is the one-line headline"
    n = len(paragraphs)
    positives, kinds = set(), {}
    assert data["claims"], "every article has at least its headline claim"
    for claim in data["claims"]:
        members = claim["paragraphs"]
        assert len(members) == len(set(members)) >= 2, claim["id"]
        assert all(0 <= i < n for i in members), (claim["id"], members, n)
        pairs = set(itertools.combinations(sorted(members), 2))
        labelled = [tuple(sorted(k["pair"])) for k in claim["kinds"]]
        assert len(labelled) == len(set(labelled)), (claim["id"], "a pair labelled twice")
        assert set(labelled) == pairs, (claim["id"], "every pair of the claim needs exactly one kind",
                                        sorted(pairs ^ set(labelled)))
        for k in claim["kinds"]:
            pair = tuple(sorted(k["pair"]))
            assert k["kind"] in KINDS, (claim["id"], k)
            assert kinds.setdefault(pair, k["kind"]) == k["kind"], (pair, "two claims give it different kinds")
            if k["kind"] == "headline":
                assert pair[0] == 0, (claim["id"], pair, "a headline pair has the headline, paragraph 0")
        positives |= pairs
    related = [tuple(sorted(r["pair"])) for r in data["related"]]
    ambiguous = [tuple(sorted(r["pair"])) for r in data["ambiguous"]]
    for pair in related + ambiguous:
        assert pair[0] != pair[1] and all(0 <= i < n for i in pair), pair
    for entry in data["related"] + data["ambiguous"]:
        assert entry["why"].strip()
    assert len(related) == len(set(related)) and len(ambiguous) == len(set(ambiguous))
    assert not positives & set(related), ("both a restatement and a distractor", positives & set(related))
    assert not positives & set(ambiguous) and not set(related) & set(ambiguous)


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_verbatim_pairs_repeat_words_and_edited_pairs_do_not(path):
    data, paragraphs = _load(path)
    for claim in data["claims"]:
        for k in claim["kinds"]:
            a, b = (_words(paragraphs[i]) for i in k["pair"])
            shorter, longer = sorted((a, b), key=len)
            if k["kind"] == "verbatim":
                assert _contains_run(longer, shorter), (claim["id"], k)
            elif k["kind"] == "edited":
                assert not _contains_run(longer, shorter), (claim["id"], k, "this is a verbatim repeat")


def test_the_set_is_split_in_two_balanced_halves():
    golds = [Gold.load(p) for p in GOLD_FILES]
    by_split = Counter(g.split for g in golds)
    assert set(by_split) == SPLITS and abs(by_split["dev"] - by_split["heldout"]) <= 1, by_split
    for split in SPLITS:
        chosen = [g for g in golds if g.split == split]
        assert any(all(k == "headline" for _, k in g.kinds) for g in chosen), f"{split}: no restatement-free article"
        for kind in KINDS:
            assert sum(len(g.of_kind(kind)) for g in chosen) >= 5, (split, kind)


def test_the_set_has_the_pairs_it_promises():
    golds = [Gold.load(p) for p in GOLD_FILES]
    per_kind = {kind: sum(len(g.of_kind(kind)) for g in golds) for kind in KINDS}
    assert per_kind["reworded"] >= 30 and per_kind["edited"] >= 20 and per_kind["verbatim"] >= 10, per_kind
    assert sum(len(g.related) for g in golds) >= 40
    assert sum(all(k == "headline" for _, k in g.kinds) for g in golds) >= 4


# evaluate.py on a small hand-made report

HAND_GOLD = {
    "claims": [
        {"id": "a", "paragraphs": [0, 1, 5], "kinds": [{"pair": [0, 1], "kind": "headline"},
                                                      {"pair": [0, 5], "kind": "headline"},
                                                      {"pair": [1, 5], "kind": "reworded"}]},
        {"id": "b", "paragraphs": [2, 7], "kinds": [{"pair": [2, 7], "kind": "edited"}]},
        {"id": "c", "paragraphs": [3, 9], "kinds": [{"pair": [9, 3], "kind": "verbatim"}]},
    ],
    "related": [{"pair": [1, 6], "why": "-"}, {"pair": [4, 5], "why": "-"}],
    "ambiguous": [{"pair": [4, 8], "why": "-"}],
    "split": "heldout",
}


def _match(a, b):
    return Match(a=a, b=b, jaccard=0.5, containment=0.5, cosine=0.5, score=0.9)


def _hand_report():
    paragraphs = [Paragraph(index=i, text=f"p{i}", sentences=()) for i in range(10)]
    # Groups (0, 1, 6), (2, 7), (4, 8); a match 3~9 outside any group, which "pairs in one group" does not count.
    return Report(id="hand", paragraphs=paragraphs,
                  groups=[Group((0, 1, 6)), Group((2, 7)), Group((4, 8))],
                  matches=[_match(0, 1), _match(1, 6), _match(2, 7), _match(4, 8), _match(3, 9)])


def test_per_kind_figures_on_a_hand_made_report(tmp_path):
    path = tmp_path / "hand.gold.json"
    path.write_text(json.dumps(HAND_GOLD), encoding="utf-8")
    gold = Gold.load(path)
    assert gold.split == "heldout"
    assert dict(gold.kinds) == {(0, 1): "headline", (0, 5): "headline", (1, 5): "reworded", (2, 7): "edited",
                                (3, 9): "verbatim"}
    report = _hand_report()
    assert recall_by_kind(report, gold) == {"verbatim": 0.0, "edited": 1.0, "reworded": 0.0, "headline": 0.5}
    c = counts(report, gold)
    assert c.by_kind == {"verbatim": (0, 1), "edited": (1, 1), "reworded": (0, 1), "headline": (1, 2)}
    # In one group: (0,1) (0,6) (1,6) (2,7); (4,8) is ambiguous. Gold pairs among them: (0,1) (2,7).
    assert (c.gold, c.grouped, c.grouped_true) == (5, 4, 2)
    # Related (1,6) is in a group, (4,5) is not; flagged non-gold pairs: (0,6) (1,6) (the match 3~9 is gold).
    assert (c.related, c.related_flagged, c.extra) == (2, 1, 2)
    # The same report's grouped figures from score() agree with the counts.
    s = score(report, gold)
    assert s.recall_grouped == pytest.approx(c.grouped_true / c.gold)
    assert s.precision_grouped == pytest.approx(c.grouped_true / c.grouped)


def test_a_kind_without_gold_pairs_has_no_recall():
    gold = Gold(frozenset({(0, 1)}), frozenset(), frozenset(), (((0, 1), "headline"),), "dev")
    report = Report(id="x", paragraphs=[], groups=[Group((0, 1))], matches=[_match(0, 1)])
    assert recall_by_kind(report, gold) == {"verbatim": None, "edited": None, "reworded": None, "headline": 1.0}
    assert counts(report, gold).extra == 0


def test_the_bundled_gold_still_loads_without_kinds():
    gold = Gold.load(GOLD)
    assert gold.kinds == () and gold.split is None and len(gold.positives) == 26
    assert Gold(gold.positives, gold.related, gold.ambiguous) == gold
