import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import settings

# The suite is reproducible: hypothesis draws the same examples on every run (a CI run never fails on an
# example no earlier run saw). HYPOTHESIS_PROFILE=hunt explores new examples each run; with PROPERTY_SCALE=10
# (tests/robustness/test_properties.py) it draws ten times as many. Counterexamples it finds become tests.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("hunt", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port for the session (skips, saying why, without one)."""
    pytest.importorskip("redis", reason="the redis extra is not installed (pip install 'dedup[redis]')")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)
