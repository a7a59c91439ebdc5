from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "vance_article.txt"
GOLD = ROOT / "data" / "vance_article.gold.json"


@pytest.fixture(scope="session")
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def article_report(article_text):
    from dedup import Detector

    return Detector().detect(article_text, str(ARTICLE))
