"""Page furniture (``reuse.furniture``): text every page of a site prints is not reuse between the pages."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dedup import CorpusScanner, Index
from dedup.io.readers import Document
from dedup.reuse.furniture import UNKNOWN_UNIT, furniture_forms, in_furniture, sentence_forms
from dedup.reuse.search import ReuseSearch
from dedup.text.tokens import TokenTable, tokenize

from .test_reuse import PASSAGE, _filler, _join

COPYRIGHT = "Copyright 2026 Example News Group, all rights reserved."
STAMP = ("This page was generated for reader {reader} at {hh:02d}:{mm:02d} and may not be republished without "
         "permission from the editors.")


def _forms(texts: list[str]) -> list[int]:
    tokens = tokenize(texts, TokenTable())
    return sentence_forms(tokens.hashes, tokens.numeric, tokens.offsets[:-1]).tolist()


def test_a_sentence_form_masks_its_numbers_and_nothing_else():
    same = _forms(["Generated for reader 12 at 14:21.", "Generated for reader 99031 at 03:07.",
                   "Generated for reader 1990s at 3rd:07."])
    assert len(set(same)) == 1
    other = _forms(["Generated for reader 12 at 14:21.", "Reader generated for 12 at 14:21.",
                    "Printed for reader 12 at 14:21.", "Generated for reader 12 at 14:21 today.",
                    "Generated for reader twelve at 14:21."])
    assert len(set(other)) == len(other)


def test_the_tokens_know_their_numbers():
    tokens = tokenize(["The 3rd vote, 9-4, on the $298 million plan, in 1990s Paris.", "Ünïcode 42 ‘x’ 7b"],
                      TokenTable())
    # Content words only: 3rd vote 9 4 298 million plan 1990s paris | ünïcode 42 x 7b
    assert tokens.numeric.tolist() == [True, False, True, True, True, False, False, True, False,
                                       False, True, False, True]


def test_furniture_is_a_form_held_by_more_documents_than_the_limit():
    forms = np.array([5, 5, 5, 7, 7, 9, 5, 5], dtype=np.uint32)
    docs = np.array([0, 0, 1, 1, 2, 2, 2, 3])  # form 5 in documents 0-3 (twice in 0), 7 in 1-2, 9 in 2
    assert furniture_forms(forms, docs, 3).tolist() == [5]
    assert furniture_forms(forms, docs, 1).tolist() == [5, 7]
    assert furniture_forms(forms, docs, 4).tolist() == []


def test_a_copied_run_touching_a_furniture_sentence_keys_nothing():
    unit_doc = np.array([0, 0, 0, 1, 1])
    furniture = np.array([False, False, True, False, True])
    # (first sentence in its document << 3) | sentences spanned - 1; UNKNOWN_UNIT: not known
    units = np.array([0 << 3 | 0, 0 << 3 | 1, 1 << 3 | 1, 2 << 3 | 0, 0 << 3 | 0, 0 << 3 | 1, UNKNOWN_UNIT],
                     dtype=np.uint16)
    docs = np.array([0, 0, 0, 0, 1, 1, 0])
    assert in_furniture(units, docs, unit_doc, furniture).tolist() == [2, 3, 5]
    assert in_furniture(units, docs, unit_doc, np.zeros(5, bool)).tolist() == []


def _site(n: int, footer: str, seed: int = 3, copy: tuple[int, int] | None = (4, 11),
          top: bool = False) -> list[tuple[str, str]]:
    """``n`` pages of one site, each ending with ``footer`` ("templated": the copyright line and a stamp with
    the page's own reader number and time; "constant": the copyright line and a fixed notice), two of them
    (``copy``) sharing ``PASSAGE`` just above it (``top``: at their top, so that their footers, aligned too, are
    a passage of their own)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        if footer == "templated":
            end = COPYRIGHT + " " + STAMP.format(reader=rng.randrange(10 ** 6), hh=rng.randrange(24),
                                                 mm=rng.randrange(60))
        else:
            end = COPYRIGHT + " This page may not be republished without permission from the editors."
        pasted = [" ".join(PASSAGE)] if copy and i in copy else []
        body = pasted + _filler(1000 + i) if top else _filler(1000 + i) + pasted
        docs.append((f"p{i:03d}", _join(body + [end])))
    return docs


def _is_footer(sentence: str) -> bool:
    return sentence.startswith(("Copyright 2026", "This page"))


@pytest.mark.parametrize("footer", ["templated", "constant"])
@pytest.mark.parametrize("n, top", [(40, False), (40, True), (300, False)])
def test_a_sites_footer_is_not_reuse_and_a_pasted_passage_still_is(footer, n, top):
    docs = _site(n, footer, top=top)
    report = CorpusScanner(detector=None).scan(Document(i, t) for i, t in docs)
    assert not [r for r in report.reuse if all(_is_footer(s.a) and _is_footer(s.b) for s in r.sentences)]
    pairs = {(r.a, r.b): r for r in report.reuse}
    assert set(pairs) == {("p004", "p011")}  # the pasted passage, found though it touches the footer
    assert report.stats["reuse_furniture_forms"] == 2  # the copyright line and the notice or stamp
    assert report.stats["reuse_furniture_passages"] == (1 if top else 0)  # the two pages' footers, apart
    found = pairs["p004", "p011"]
    text = dict(docs)["p004"]
    start = text.index(" ".join(PASSAGE))
    assert found.a_span[0] <= start and found.a_span[1] >= start + len(" ".join(PASSAGE))


def test_furniture_is_told_by_the_whole_corpus_not_by_a_pair():
    # A notice two pages share is no furniture: it is reported as the shared text it is.
    docs = _site(40, "constant", copy=None)
    notice = ("The harbour trust will publish the revised tide tables for the northern channel on the first "
              "Monday of every month, with corrections for the spring tides.")
    for i in (7, 23):
        docs[i] = (docs[i][0], docs[i][1] + "\n\n" + notice)
    report = CorpusScanner(detector=None).scan(Document(i, t) for i, t in docs)
    assert {(r.a, r.b) for r in report.reuse} == {("p007", "p023")}
    assert report.stats["reuse_furniture_forms"] == 2


def test_two_processes_find_the_same_reuse_as_one():
    docs = _site(300, "templated")
    one = CorpusScanner(detector=None).scan(Document(i, t) for i, t in docs)
    two = CorpusScanner(detector=None, jobs=2).scan(Document(i, t) for i, t in docs)
    assert two.reuse == one.reuse and one.reuse
    assert two.stats["reuse_candidates"] == one.stats["reuse_candidates"]


def test_the_limit_follows_the_corpus_size():
    search = ReuseSearch()
    assert search.furniture_limit(40) == 10  # common_docs
    assert search.furniture_limit(400) == 20  # 5% of the documents
    assert search.furniture_limit(20_000) == 50  # max_bucket: a key held by more pairs nothing anyway



@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_an_index_tells_page_furniture_as_a_scan_does(tmp_path, request, store):
    location = str(tmp_path / "x.db") if store == "sqlite" else \
        f"{request.getfixturevalue('redis_url')}?prefix=furniture-{tmp_path.name}"
    docs = dict(_site(41, "templated", top=True))
    page = docs.pop("p040")  # the site's next page: nothing of it but its footer is elsewhere
    with Index(location, within=False) as index:
        index.add_many(Document(i, t) for i, t in docs.items() if i != "p011")
        assert index.check("p040", page).reuse == []
        found = index.check("p011", docs["p011"]).reuse
        assert [r.b for r in found] == ["p004"]  # the pasted passage, not the footers
        assert not any(_is_footer(s.a) for r in found for s in r.sentences)
        rows = index.stats()["reuse_form_rows"]
        assert index.remove(["p004"]).removed == ["p004"] and index.verify() == []
        assert 0 < index.stats()["reuse_form_rows"] < rows
        assert index.check("p011", docs["p011"]).reuse == []


def test_a_sentence_of_one_word_is_never_furniture():
    # "Contents." or "Years." is the form of too many sentences: the keys across it stay.
    search = ReuseSearch()
    texts = [_join(["Contents.", _filler(1200 + i)[0], "All rights reserved."]) for i in range(40)]
    seeds, _ = search.seeds_of_texts(texts)
    forms, flags = search.furniture(seeds, len(texts))
    assert len(forms) == 1  # "All rights reserved." (two words); not "Contents."
    assert flags.sum() == 40 and (seeds.unit_words[flags] == 2).all()


def _crashing(docs: list[Document], after: int):
    for i, doc in enumerate(docs):
        if i == after:
            raise RuntimeError("the machine went down")
        yield doc


def test_a_resumed_scan_tells_the_same_furniture(tmp_path):
    from dedup.corpus.checkpoint import Checkpoint

    docs = [Document(i, t) for i, t in _site(40, "templated", top=True)]
    expected = CorpusScanner(batch_size=4, detector=None).scan(iter(docs))
    key = {"corpus": "site"}
    with pytest.raises(RuntimeError):
        CorpusScanner(batch_size=4, detector=None).scan(_crashing(docs, 25), checkpoint=Checkpoint(
            str(tmp_path), key, every=0.0))
    resumed = CorpusScanner(batch_size=4, detector=None).scan(iter(docs), checkpoint=Checkpoint(
        str(tmp_path), key, every=0.0))
    assert resumed.reuse == expected.reuse and [(r.a, r.b) for r in resumed.reuse] == [("p004", "p011")]
    assert resumed.stats["reuse_furniture_forms"] == expected.stats["reuse_furniture_forms"] == 2


def test_a_checkpoint_written_before_the_forms_resumes_without_them(tmp_path):
    # Its documents have no sentence forms: the scan tells no furniture (as the dedup that wrote it), whole.
    import numpy as np

    from dedup.corpus.checkpoint import Checkpoint

    docs = [Document(i, t) for i, t in _site(40, "templated", top=True)]
    key = {"corpus": "site"}
    with pytest.raises(RuntimeError):
        CorpusScanner(batch_size=4, detector=None).scan(_crashing(docs, 25), checkpoint=Checkpoint(
            str(tmp_path), key, every=0.0))
    slot = tmp_path / (tmp_path / "CURRENT").read_text().strip()
    with np.load(slot / "arrays.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k not in ("reuse_unit_forms", "reuse_copy_units")}
    np.savez(slot / "arrays.npz", **arrays)
    resumed = CorpusScanner(batch_size=4, detector=None).scan(iter(docs), checkpoint=Checkpoint(
        str(tmp_path), key, every=0.0))
    assert resumed.stats["reuse_furniture_forms"] == 0
    assert ("p004", "p011") in {(r.a, r.b) for r in resumed.reuse}


def test_the_table_says_what_was_taken_for_page_furniture(tmp_path):
    import json

    from click.testing import CliRunner

    from dedup.cli.main import main

    path = tmp_path / "site.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in _site(40, "templated", top=True)),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "--no-within"])
    assert result.exit_code == 0, result.output
    assert ("page furniture, not reuse: 2 sentences (numbers aside) in too many documents to seed reuse; 1 passage "
            "of it alone left out") in result.output
    assert "1 passage reused between documents" in result.output
