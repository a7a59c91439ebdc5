"""While a scan runs, freed scratch memory is reused instead of being faulted in again."""

import json
import subprocess
import sys

import pytest

from dedup.util import allocator

_MEASURE = """
import ctypes, json, resource
import numpy as np
from dedup.util import allocator

# Transparent huge pages fault 2 MB at a time, so whether they are granted (the machine's state, not
# dedup's) decided the counts: the test failed at random. They are switched off for this process only.
ctypes.CDLL(None).prctl(41, 1, 0, 0, 0)  # PR_SET_THP_DISABLE


def faults(rounds=20, size=5_000_000):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        scratch = np.ones(size)  # 40 MB written, then freed: above glibc's largest automatic mmap threshold
        del scratch
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


outside = faults()
with allocator.reuse_freed_memory():
    inside = faults()
after = faults()
print(json.dumps([outside, inside, after]))
"""


@pytest.mark.skipif(allocator._LIBC is None, reason="glibc's mallopt is not available here")
def test_scratch_memory_is_reused_inside_the_block_and_released_after():
    run = subprocess.run([sys.executable, "-c", _MEASURE], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    outside, inside, after = json.loads(run.stdout)
    # Each fresh mapping faults its 9,766 pages in again: 20 rounds, about 195,000 faults.
    assert outside > 20_000
    assert inside < outside / 5
    assert after > inside * 5  # defaults are back: freed memory goes back to the system


def test_a_library_scan_leaves_the_host_allocator_alone(monkeypatch):
    """A scraper calling ``CorpusScanner.scan`` keeps its own malloc settings; only the command tunes them."""
    from click.testing import CliRunner

    from dedup import CorpusScanner
    from dedup.cli.main import main
    from dedup.io.readers import Document

    calls = []

    class Recorder:
        def mallopt(self, *args):
            calls.append(args)

        def malloc_trim(self, *args):
            calls.append(("trim",) + args)

    monkeypatch.setattr(allocator, "_LIBC", Recorder())
    docs = [Document(f"d{i}", f"Paragraph {i} about rivers, hills and the slow bend of water.") for i in range(4)]
    CorpusScanner(detector=None).scan(docs)
    assert calls == []
    result = CliRunner().invoke(main, ["scan", "-", "--no-within", "-q"], input="Rivers bend slowly.\n")
    assert result.exit_code == 0 and calls  # the command, which owns its process, does tune them
