"""Found by trying it, sixteenth round: a scraper's Redis index. Each test failed before its fix."""

from pathlib import Path

import pytest

from dedup import Index
from dedup.index.store import IndexFileError
from dedup.io.readers import Document

DEV = Path(__file__).resolve().parents[2] / "data" / "dev"


def _articles() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))]


# 1. A removal read a document's reuse keys outside its transaction, watching only the ids: another writer's
#    re-keying of young documents (at the start of its add) rewrote them in between, and the re-keyed keys were
#    left pointing at the removed document (`verify`: "14 reuse key set members pointing at no document").
def test_a_removal_racing_a_rekeying_add_leaves_no_key_behind(redis_url, monkeypatch):
    articles = _articles()
    location = f"{redis_url}?prefix=rekey16"
    remover, crawler = Index(location, within=False), Index(location, within=False)
    crawler.add("first", articles[0])
    shared = articles[0].split("\n\n")[1]
    crawler.add_many(Document(f"d{i}", articles[i] + "\n\n" + shared) for i in range(1, 8))
    crawler.add_many(Document(f"e{i}", articles[i] + "\n\n" + shared) for i in range(8, 30))
    store_type = type(remover.store)
    unwrite, rekeyed = store_type._unwrite, []

    def crawler_rekeys_meanwhile(self, *args):  # what the crawler's next add does before its insert
        if not rekeyed:
            crawler._refresh_idf()
            rekeyed.append(crawler._rekey_young(30))
        return unwrite(self, *args)

    monkeypatch.setattr(store_type, "_unwrite", crawler_rekeys_meanwhile)
    assert remover.remove(["first"]).removed == ["first"]
    monkeypatch.setattr(store_type, "_unwrite", unwrite)
    assert rekeyed and rekeyed[0] > 0  # the interleaving took place
    crawler.add_many(Document(f"f{i}", articles[i] + "\n\n" + shared) for i in range(30, 40))
    assert remover.verify() == []


# 2. An Index opened before Redis lost its data went on writing once another crawler made the index again with
#    other parameters: its signatures (128 permutations, k=3) stored in an index of 64 and k=5, and copies were
#    missed both ways, `verify` passing.
def test_an_index_made_again_with_other_parameters_is_gone_for_an_older_store(tmp_path):
    import redis

    from .test_index_safety import _private_redis

    articles = _articles()
    with _private_redis(tmp_path) as (_, port):  # its own server: the test flushes it
        location = f"redis://127.0.0.1:{port}/0?prefix=remade16"
        old = Index(location, within=False)
        old.add("a", articles[0])
        redis.Redis(port=port).flushdb()  # a restart without persistence
        new = Index(location, within=False, num_perm=64, k=5)
        new.add("b", articles[1])
        for call in (lambda: old.add("c", articles[2]), lambda: old.check("d", articles[1]),
                     lambda: old.remove(["b"])):
            with pytest.raises(IndexFileError, match="the index is gone"):
                call()
        assert new.check("copy of b", articles[1]).is_duplicate
        assert any("the index is gone" in problem for problem in old.verify())  # as every other call says
