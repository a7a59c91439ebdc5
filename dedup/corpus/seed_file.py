"""Pass one's sentence seeds, kept in a file for pass two's reuse screen once the scan lets them go.

The reuse screen (``reuse.screen``) reads each candidate pair's sentences as pass one kept them: each
content word's IDF bucket and each sentence's word count. Pass two lets those arrays go once the candidate
pairs are known (``reuse_pass.reuse_candidates``: they are 4 bytes a content word of the whole corpus, and
the re-read near-duplicate evidence needs the room), so they are written to a temporary file first and
the screen reads the documents of one slice of the candidates at a time.

Screening from them, not from the re-read texts tokenized again, is the same screen (pass one made them
from those texts) without the tokenizing, before the re-reading: only the documents of the pairs the screen
keeps are read again (on 20,000 generated documents it keeps 800 of 4,700 candidate pairs). Where no file
can be written (a full temporary folder) the arrays stay in memory.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from dedup.reuse.search import Seeds
from dedup.util import scratch
from dedup.util.arrays import range_positions


class SeedFile:
    """The sentence seeds (``Seeds.words``, ``unit_words``, ``unit_doc``) of every document of a scan.

    Parameters
    ----------
    seeds : Seeds
        Pass one's seeds, ``unit_doc`` sorted (documents numbered from 0); their copied-run keys are not kept.
    n_docs : int
        Documents of the scan.
    """

    def __init__(self, seeds: Seeds, n_docs: int) -> None:
        self.unit_start = np.searchsorted(seeds.unit_doc, np.arange(n_docs + 1), side="left").astype(np.int64)
        # Each document's words summed over its sentences, not a running sum of every sentence's: this is
        # the scan's peak moment (the seeds and their sentence keys are both held).
        words = np.zeros(n_docs, np.int64)
        held = np.diff(self.unit_start) > 0
        if held.any():
            words[held] = np.add.reduceat(seeds.unit_words, self.unit_start[:-1][held], dtype=np.int64)
        self.word_start = np.concatenate(([0], np.cumsum(words)))
        self._folder: tempfile.TemporaryDirectory | None = None
        self._arrays: dict[str, np.ndarray] = {}
        try:
            self._folder = tempfile.TemporaryDirectory(prefix=scratch.prefix("seeds"))
            for name in ("words", "unit_words"):
                np.save(self._path(name), getattr(seeds, name))
        except OSError:  # no room: held in memory instead (the same seeds, more memory)
            self.close()
            self._arrays = {"words": seeds.words, "unit_words": seeds.unit_words}

    def _path(self, name: str) -> str:
        assert self._folder is not None
        return os.path.join(self._folder.name, name + ".npy")

    def of(self, docs: np.ndarray) -> Seeds:
        """The seeds of ``docs`` (sorted, distinct), numbered as in the scan, without copied-run keys.

        Each file is mapped for the gather only, so the pages read leave the process with it."""
        docs = np.asarray(docs, dtype=np.int64)
        unit_first, unit_count = self.unit_start[docs], self.unit_start[docs + 1] - self.unit_start[docs]
        word_first, word_count = self.word_start[docs], self.word_start[docs + 1] - self.word_start[docs]
        found = {}
        for name, first, count in (("unit_words", unit_first, unit_count), ("words", word_first, word_count)):
            array = self._arrays.get(name)
            if array is None:
                path = self._path(name)
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            found[name] = np.asarray(array[range_positions(first, count)[1]])
            del array
        return Seeds(words=found["words"], unit_words=found["unit_words"], unit_doc=np.repeat(docs, unit_count),
                     copy_keys=np.zeros(0, np.uint64), copy_doc=np.zeros(0, np.int32))

    def close(self) -> None:
        """Remove the file (the seeds can no longer be read)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
