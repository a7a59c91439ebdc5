"""While a scan runs, freed scratch memory is reused instead of being faulted in again."""

import resource

import numpy as np
import pytest

from dedup import allocator


def _faults_for_scratch(rounds: int = 20, size: int = 5_000_000) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        scratch = np.ones(size)  # 40 MB written, then freed: above glibc's largest automatic mmap threshold
        del scratch
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(allocator._LIBC is None, reason="glibc's mallopt is not available here")
def test_scratch_memory_is_reused_inside_the_block_and_released_after():
    outside = _faults_for_scratch()
    with allocator.reuse_freed_memory():
        inside = _faults_for_scratch()
    after = _faults_for_scratch()
    # Each fresh mapping faults its pages in again (fewer faults with transparent huge pages, but many).
    assert outside > 2_000
    assert inside < outside / 5
    assert after > inside * 5  # defaults are back: freed memory goes back to the system
