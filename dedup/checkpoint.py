"""Resumable corpus scans: pass one's state saved in a folder as it goes.

A checkpoint is taken between batches (every ``every`` seconds, and when the
scan is interrupted with SIGINT), so it always describes whole batches: the
documents read so far, their signatures, paragraph index, IDF counts and
restatement reports. A scan given the same folder, inputs and parameters
skips the inputs already read and goes on, and ends with the report an
uninterrupted run gives. Two slots are written in turn and a pointer file is
replaced atomically, so a scan killed while saving keeps the previous
checkpoint. Formats: JSON and ``.npz`` (no pickle).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from .readers import InputError

_FORMAT = 3  # 2: occurrences carry their token counts; 3: word hashes in 8-byte chunks
_ARRAYS = ("signatures", "sizes", "lengths", "paragraphs", "node_keys", "occurrences")


class CheckpointError(ValueError):
    """The folder holds a checkpoint of another scan, or an unreadable one."""


class Checkpoint:
    """Save and restore pass one of a ``CorpusScanner`` scan.

    Parameters
    ----------
    folder : str
        Where the checkpoint lives (created if missing).
    key : dict
        What identifies the scan (inputs and parameters); a checkpoint made
        with another key is refused rather than mixed in.
    every : float, default=30
        Seconds between checkpoints.
    """

    def __init__(self, folder: str, key: dict, every: float = 30.0) -> None:
        self.folder, self.key, self.every = Path(folder), json.loads(json.dumps(key)), every
        self.folder.mkdir(parents=True, exist_ok=True)
        self._last = time.monotonic()

    @property
    def reports_path(self) -> Path:
        return self.folder / "reports.bin"

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.every

    def load(self, state) -> int:
        """Restore ``state`` from the folder; the number of input items already read (0: nothing saved)."""
        pointer = self.folder / "CURRENT"
        if not pointer.exists():
            self.reports_path.write_bytes(b"")
            return 0
        slot = self.folder / pointer.read_text().strip()
        try:
            meta = json.loads((slot / "meta.json").read_text(encoding="utf-8"))
            with np.load(slot / "arrays.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError) as err:
            raise CheckpointError(f"{self.folder}: unreadable checkpoint ({err})") from None
        if meta.get("format") != _FORMAT:
            raise CheckpointError(f"{self.folder}: checkpoint written by another dedup version; "
                                  "remove it to start over")
        if meta["key"] != self.key:
            raise CheckpointError(f"{self.folder}: holds a checkpoint of another scan (other inputs or parameters); "
                                  "remove it or choose another folder")
        n = meta["documents"]
        state.ids = meta["ids"]
        state.index = {doc_id: i for i, doc_id in enumerate(state.ids)}
        state.paths = meta["paths"]
        state.readings = [tuple(r) for r in meta.get("readings", [[None, None]] * len(state.paths))]
        state._path_index = {p: i for i, p in enumerate(state.paths)}
        state.path_of, state.offsets = meta["path_of"], meta["offsets"]
        state.skipped = [InputError(source, reason) for source, reason, _ in meta["skipped"]]
        state.skipped_at = [at for _, _, at in meta["skipped"]]
        state.capped = meta["capped"]
        for name in _ARRAYS:
            getattr(state, "_" + name).append(arrays[name])
        state.n_nodes = meta["n_nodes"]
        state.node_of = dict(zip(arrays["node_fingerprints"].tolist(), arrays["node_numbers"].tolist()))
        state.idf.load(arrays["df"], meta["idf_docs"])
        with open(self.reports_path, "r+b") as spool:
            spool.truncate(meta["reports_bytes"])  # reports written after the checkpoint are redone
        state.reports.restore({int(d): (int(o), int(s)) for d, o, s in arrays["report_where"].tolist()})
        assert len(state.ids) == n
        return meta["consumed"]

    def save(self, state, consumed: int) -> None:
        """Write the state of the documents absorbed so far (read ``consumed`` input items)."""
        state.finish()
        n = len(state.signatures)
        pointer = self.folder / "CURRENT"
        slot_name = "b" if pointer.exists() and pointer.read_text().strip() == "a" else "a"
        slot = self.folder / slot_name
        shutil.rmtree(slot, ignore_errors=True)
        slot.mkdir()
        where = state.reports.where()
        reports_bytes = state.reports.flush()
        np.savez(slot / "arrays.npz", **{name: getattr(state, name) for name in _ARRAYS},
                 node_fingerprints=np.array(list(state.node_of), dtype=np.uint64),
                 node_numbers=np.array(list(state.node_of.values()), dtype=np.int64), df=state.idf.df,
                 report_where=np.array([(d, o, s) for d, (o, s) in where.items()], dtype=np.int64).reshape(-1, 3))
        meta = {
            "format": _FORMAT, "key": self.key, "consumed": consumed, "documents": n, "ids": state.ids[:n],
            "paths": state.paths, "readings": state.readings,
            "path_of": state.path_of[:n], "offsets": state.offsets[:n], "n_nodes": state.n_nodes,
            "idf_docs": state.idf.n_docs, "reports_bytes": reports_bytes,
            "skipped": [[e.source, e.reason, at] for e, at in zip(state.skipped, state.skipped_at) if at < consumed],
            "capped": [d for d in state.capped if d < n],
        }
        (slot / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        _fsync_folder(slot)
        temporary = self.folder / "CURRENT.tmp"
        temporary.write_text(slot_name)
        os.replace(temporary, pointer)
        self._last = time.monotonic()

    def remove(self) -> None:
        """Forget the checkpoint (after the scan's report is written)."""
        for name in ("a", "b"):
            shutil.rmtree(self.folder / name, ignore_errors=True)
        for name in ("CURRENT", "CURRENT.tmp", "reports.bin"):
            (self.folder / name).unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
