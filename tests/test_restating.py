"""The restatement search's first step in a scan and an index: which documents may restate themselves."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import dedup.article.screen as screen_module
from dedup import CorpusScanner, Detector, Index
from dedup.article.screen import amounts_agree, restated_by_rule, title_held
from dedup.io.readers import Document
from dedup.report.formats import report_to_dict
from dedup.reuse.restating import MAX_SENTENCES_A_WORD, _by_document_and_word, restating_documents

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpusgen import iter_corpus  # noqa: E402


def _flags(sentences: list[list[int]], docs: list[int], df: dict[int, int], limit: float = 5,
           run_words: int = 5) -> list[bool]:
    """``restating_documents`` of sentences given as word lists, each word's document frequency in ``df``."""
    words = np.array([w for s in sentences for w in s], dtype=np.uint32)
    table = np.zeros(max(df) + 1, dtype=np.int64)
    for word, count in df.items():
        table[word] = count
    found = restating_documents(words, np.array([len(s) for s in sentences]), np.array(docs), table,
                                max(docs) + 1, limit, run_words=run_words)
    return found.tolist()


def test_two_sentences_sharing_two_uncommon_words_make_a_document_worth_searching():
    df = {w: 1 for w in range(1, 40)} | {30: 50, 31: 50, 32: 50}  # 30-32 are common
    assert _flags([[1, 2, 3], [9, 2, 1]], [0, 0], df) == [True]
    assert _flags([[1, 2, 3], [9, 2, 8]], [0, 0], df) == [False]  # one shared word
    assert _flags([[1, 30, 31], [9, 30, 31]], [0, 0], df) == [False]  # two shared, both common
    assert _flags([[1, 2, 1, 2]], [0], df) == [False]  # one sentence repeating itself
    # Two documents: the words are shared across them, not inside either.
    assert _flags([[1, 2, 3], [9, 10], [1, 2, 3]], [0, 0, 1], df) == [False, False]


def test_a_shared_run_of_common_words_or_a_word_in_very_many_sentences_is_searched():
    df = {w: 50 for w in range(1, 40)}  # every word common
    run = [1, 2, 3, 4, 5]
    assert _flags([[9, *run], [*run, 8]], [0, 0], df) == [True]
    assert _flags([[9, *run], [*run, 8]], [0, 0], df, run_words=0) == [False]  # the run rule off
    assert _flags([[9, 1, 2, 3, 4], [1, 2, 3, 4, 8]], [0, 0], df) == [False]  # four words
    many = [[7, 100 + i] for i in range(MAX_SENTENCES_A_WORD + 1)]
    df_many = {7: 1} | {100 + i: 1 for i in range(len(many))}
    assert _flags(many, [0] * len(many), df_many) == [True]


def test_the_packed_sort_orders_as_the_three_key_sort():
    rng = np.random.default_rng(5)
    units = np.sort(rng.integers(0, 400, 3000))
    docs = units // 7 + 1_000  # each sentence in one document, documents in order
    for words in (rng.integers(0, 50, 3000), rng.integers(0, 1 << 62, 3000)):  # the second too wide to pack
        assert (_by_document_and_word(docs, words, units) == np.lexsort((units, words, docs))).all()


def test_headline_and_amount_rules_read_from_the_text():
    held = [np.array([1, 2, 3], np.uint64), np.array([9, 1, 2, 3, 8], np.uint64)]
    assert title_held(held) and not title_held([held[0], np.array([1, 2, 8], np.uint64)])
    assert not title_held([np.array([1, 2], np.uint64), np.array([1, 2, 5], np.uint64)][:1])
    assert amounts_agree(["The council approved a budget of $298 million on Tuesday.",
                          "The plan, worth roughly three hundred million dollars, passed."])
    assert not amounts_agree(["The council approved a budget of $298 million.", "It rained for 40 minutes."])
    assert not restated_by_rule(["One paragraph only, with $5 million."], [np.zeros(0, np.uint64)])


@pytest.mark.parametrize("pairwise_up_to", [64, 0])
def test_title_held_finds_what_every_paragraph_against_every_other_finds(monkeypatch, pairwise_up_to):
    """Past a few dozen paragraphs the holders of a short one are looked up by its rarest word (0: always); the
    answer is the plain pairwise one."""
    monkeypatch.setattr(screen_module, "_PAIRWISE", pairwise_up_to)
    rng = np.random.default_rng(3)

    def pairwise(words):
        sets = [frozenset(w.tolist()) for w in words]
        return any(3 <= len(short) <= 12 and any(short <= other for j, other in enumerate(sets) if j != i)
                   for i, short in enumerate(sets))

    answers = set()
    for _ in range(3000):
        vocabulary = int(rng.integers(4, 40))
        words = [rng.integers(0, vocabulary, size=int(rng.integers(0, 16))).astype(np.uint64)
                 for _ in range(int(rng.integers(0, 7)))]
        if rng.random() < 0.3 and words:  # a paragraph repeated: a short one is then held by its copy
            words.append(words[int(rng.integers(len(words)))].copy())
        answers.add(pairwise(words))
        assert title_held(words) == pairwise(words), words
    assert answers == {True, False}


def _real_articles() -> list[tuple[str, str]]:
    paths = [ROOT / "data" / "vance_article.txt", *sorted((ROOT / "data" / "dev").glob("*.txt"))]
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def test_a_scan_reports_what_the_detector_finds_in_real_articles_and_searches_few_random_ones():
    articles = _real_articles()
    generated = [(f"g{i}", d["text"]) for i, (d, _) in enumerate(iter_corpus(300, 300, seed=4))]
    report = CorpusScanner(reuse=False).scan(Document(i, t) for i, t in articles + generated)
    found = {r.id: report_to_dict(r.report) for r in report.documents if r.report is not None}
    detector = Detector()
    for doc_id, text in articles:  # every article's restatements, exactly as the detector reports them alone
        alone = detector.detect(text, doc_id=doc_id)
        assert found.get(doc_id) == (report_to_dict(alone) if alone.matches else None), doc_id
    searched = report.stats["restatement_documents_searched"]
    assert len(articles) <= searched < len(articles) + 0.1 * len(generated)
    assert not any(i.startswith("g") for i in found)


def test_an_index_searches_a_page_only_when_it_may_restate(tmp_path, monkeypatch):
    index = Index(str(tmp_path / "i.db"))
    # 250 documents: an index of 200 or fewer searches every page (too few to tell common words)
    index.add_many(Document(f"g{i}", d["text"]) for i, (d, _) in enumerate(iter_corpus(250, 300, seed=5)))
    article = (ROOT / "data" / "vance_article.txt").read_text(encoding="utf-8")
    verdict = index.check("vance", article, add=False)
    assert verdict.restated.matches and report_to_dict(verdict.restated) == report_to_dict(
        Detector().detect(article, doc_id="vance"))
    random_page = next(iter_corpus(1, 300, seed=6))[0]["text"]
    searched = []
    monkeypatch.setattr(index.detector, "detect", lambda *a, **k: searched.append(a) or pytest.fail("searched"))
    verdict = index.check("random", random_page, add=False)
    assert not searched and not verdict.restated.matches and len(verdict.restated.paragraphs) >= 2


def test_may_state_amount_is_false_only_where_quantities_finds_nothing():
    import random
    import string

    from dedup.confirm.agreement import specific
    from dedup.corpus.pass_one import paragraphs_of
    from dedup.text.quantities import may_state_amount, quantities

    texts = [p for _, text in _real_articles() for p in paragraphs_of(text)]
    rng = random.Random(0)
    pieces = ["one", "Two", "twenty", "million", "half", "dozen", "percent", "$", "5", "thirty-eight", "a", "pair",
              "fourteen", "3rd", "2:03", "€", "½", "٣", "İ", "thirds", "and a half", "years", "per cent", "%", "bn",
              "miles", "euros", "couple of", "an", "in", "out of", "ten", "six", "seconds", "over", "nearly", "at least"]
    for _ in range(5000):  # random strings of number words, digits, signs and odd separators
        texts.append("".join(rng.choice(string.printable) if rng.random() < 0.5 else
                             rng.choice(pieces) + rng.choice(" ,-_\x01—") for _ in range(rng.randint(0, 12))))
    assert not [t for t in texts if not may_state_amount(t) and quantities(t)]
    assert not [t for t in texts if not may_state_amount(t, specific=True) and any(map(specific, quantities(t)))]
    assert sum(map(may_state_amount, texts)) < len(texts)  # it does rule texts out
    one_two = "One of the two men left, and one stayed."
    assert may_state_amount(one_two) and not may_state_amount(one_two, specific=True)
    one_in_six = "About one in six classes is taught by a stand-in, and nine out of ten schools say so."
    assert may_state_amount(one_in_six, specific=True) and may_state_amount("One in six.", specific=True)
    assert not may_state_amount("One of six classes, in the end, closed.", specific=True)


def test_the_progress_line_follows_the_restatement_search():
    from dedup.util.progress import Progress

    class Terminal:
        text = ""

        def isatty(self) -> bool:
            return True

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    stream = Terminal()
    progress = Progress("scanning", stream=stream, interval=0)
    articles = _real_articles()[:5]  # each searched (their headlines)
    CorpusScanner(reuse=False).scan((Document(i, t) for i, t in articles), progress=progress)
    closed = [line.rsplit("\r", 1)[-1].removesuffix("\x1b[K") for line in stream.text.split("\n")[:-1]]
    assert len(closed) == 2 and stream.text.endswith("\n")  # each line closed once, the scan's then the search's
    assert closed[0].startswith("scanning: 5 documents")
    assert closed[1].startswith("restatements, 5 documents to search: 5 documents")


def test_a_small_corpus_searches_every_document_as_find_redundancy_does():
    generated = [(f"g{i}", d["text"]) for i, (d, _) in enumerate(iter_corpus(150, 300, seed=4))]
    report = CorpusScanner(reuse=False).scan(Document(i, t) for i, t in generated)
    assert report.stats["restatement_documents_searched"] == sum(1 for _, t in generated if "\n\n" in t.strip())
    detector = Detector()
    alone = {i for i, t in generated if detector.detect(t, doc_id=i).matches}
    assert alone and {r.id for r in report.documents if r.report is not None} == alone  # false ones too
