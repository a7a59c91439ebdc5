import itertools
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The suite is reproducible: hypothesis draws the same examples on every run (a CI run never fails on an
# example no earlier run saw). HYPOTHESIS_PROFILE=hunt explores new examples each run; with PROPERTY_SCALE=10
# (tests/robustness/test_properties.py) it draws ten times as many. Counterexamples it finds become tests.
# Neither profile times examples: hypothesis's default 200 ms deadline per example and its "too slow" health
# check (data generation over a second or so) fail a test on a loaded machine however correct the code is.
_UNTIMED = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", derandomize=True, print_blob=True, **_UNTIMED)
settings.register_profile("hunt", derandomize=False, print_blob=True, **_UNTIMED)
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

    return Detector().detect(article_text, doc_id=str(ARTICLE))


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
    # Until it answers, however long a loaded machine takes to start it: 120 s only guards against a hang
    # (it was 100 tries of 50 ms, which a busy machine can run past); a server that exits is seen at once.
    deadline = time.monotonic() + 120
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start (exit status {process.poll()})")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=60)


_LOCATIONS = itertools.count()  # index locations handed out by make_location, unique in the run


@pytest.fixture(params=["sqlite", "redis"])
def make_location(request, tmp_path):
    """A function giving a fresh, empty index location of the parametrized store each call."""
    def make() -> str:
        n = next(_LOCATIONS)
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path}/idx{n}.db"
        return f"{request.getfixturevalue('redis_url')}?prefix=loc{n}"
    return make
