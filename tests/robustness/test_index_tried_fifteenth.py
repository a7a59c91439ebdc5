"""Found by trying it, fifteenth round: the index as a scraper uses it. Each test failed before its fix."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dedup import Index
from dedup.index.store import IndexFileError

DEV = Path(__file__).resolve().parents[2] / "data" / "dev"

_FULL_AT_COMMIT = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from dedup import Index
    from dedup.index.store import IndexWriteError
    path, dev = sys.argv[1], Path(sys.argv[2])
    texts = [p.read_text(encoding="utf-8") for p in sorted(dev.glob("*.txt"))]
    index = Index(path, within=False, reuse=False)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (160 * 1024, hard))  # the disk is full past 160 KiB a file
    for i, text in enumerate(texts):
        try:
            index.check(f"d{i}", text, add=True)
        except IndexWriteError as err:
            print("refused", i, err)
            break
    else:
        sys.exit("the disk never filled")
    print("verify", index.verify())
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again: the crawl goes on
    index.check(f"d{i}", texts[i], add=True)
    index.check(f"d{i + 1}", texts[i + 1], add=True)
    index.close()
    with Index(path) as index:
        print("reopened", len(index), index.idf.n_docs, index.verify())
""")


def test_a_disk_full_at_the_commit_of_check_and_add_leaves_the_index_consistent(tmp_path):
    """``check(add=True)`` writes in the transaction it holds over the check; when its COMMIT failed (the disk
    full), the store kept the document counts of the rolled-back add, raised SQLite's own error, and the next add
    wrote those counts to the file (``verify()`` then found them wrong)."""
    done = subprocess.run([sys.executable, "-c", _FULL_AT_COMMIT, str(tmp_path / "x.db"), str(DEV)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    refused = next(line for line in lines if line.startswith("refused"))
    assert "nothing was written" in refused
    assert "verify []" in lines
    added = int(refused.split()[1]) + 2
    assert f"reopened {added} {added} []" in lines


SHORT = "Drought relief package approved by regional {}."  # six content words: banded only under 8


def test_min_passage_words_is_stored_with_the_index_and_another_value_refused(make_location):
    """Paragraphs are banded by ``min_passage_words`` when added: reopened with another value, an index took it
    without a word and missed the short passages of the documents added before."""
    article = (DEV / "agriculture_drought_aid.txt").read_text(encoding="utf-8")
    other = (DEV / "city_budget_riverton.txt").read_text(encoding="utf-8")
    location = make_location()
    with Index(location, within=False, reuse=False) as index:
        index.add("A", other + "\n\n" + SHORT.format("council") + "\n")
        assert index.min_passage_words == 8 and index.stats()["params"]["min_passage_words"] == 8
    with pytest.raises(IndexFileError, match="created with min_passage_words=8, not 3"):
        Index(location, within=False, reuse=False, min_passage_words=3)
    location = make_location()
    with Index(location, within=False, reuse=False, min_passage_words=3) as index:
        index.add("A", other + "\n\n" + SHORT.format("council") + "\n")
    with Index(location, within=False, reuse=False) as index:  # the stored value, not the default
        assert index.min_passage_words == 3
        passages = index.check("B", article + "\n\n" + SHORT.format("board") + "\n").passages
        assert [(m.doc, m.number) for m in passages] == [("A", len(other.split("\n\n")))]
