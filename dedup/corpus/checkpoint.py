"""Resumable corpus scans: pass one's state saved in a folder as it goes.

A checkpoint is taken between batches (every ``every`` seconds, and when the
scan is interrupted with SIGINT), so it always describes whole batches: the
documents read so far, their signatures, paragraph index, IDF counts and
restatement reports. A scan given the same folder, inputs and parameters
skips the inputs already read and goes on, and ends with the report an
uninterrupted run gives. Inputs that changed since the checkpoint was made (by
their fingerprint: size, modification time, inode, digest of both ends) are
refused: the documents read from them before no longer stand for them. Two
slots are written in turn and a pointer file is replaced atomically, so a scan
killed while saving keeps the previous checkpoint. Formats: JSON and ``.npz`` (no pickle).
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import json
import os
import time
import zipfile
from pathlib import Path

import numpy as np

from dedup.corpus.kept_arrays import REUSE_ARRAYS, SIGNED_ARRAYS
from dedup.io.fingerprint import Fingerprint, fingerprint_inputs, first_change
from dedup.io.readers import InputError

# 2: occurrences carry their token counts; 3: word hashes in 8-byte chunks; 4: the inputs' fingerprints (an
# earlier checkpoint cannot tell whether its inputs changed, so it is refused as another version's); 5: each
# document's restatement flag, the restatements searched in pass two (an earlier one's reports are pass one's)
_FORMAT = 5
_SLOTS = ("a", "b")
_SLOT_FILES = ("meta.json", "arrays.npz")
MARKER = "DEDUP_CHECKPOINT"  # a folder holding this file is a checkpoint: its own files may be deleted
_ARRAYS = (*SIGNED_ARRAYS, *REUSE_ARRAYS)


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
    inputs : list of str, optional
        The paths the scan reads: fingerprinted now, as the scan starts, so that a checkpoint of files
        changed since (cut, grown, rewritten; a folder's files added or removed) is refused.
    """

    def __init__(self, folder: str, key: dict, every: float = 30.0, inputs: list[str] | None = None) -> None:
        self.folder, self.key, self.every = Path(folder), json.loads(json.dumps(key)), every
        self._lock: int | None = None
        # Kept past the scan by a caller that removes the checkpoint once its report is out (the command line):
        # otherwise a second scan could take the folder while the report is written, and lose it to ``remove``.
        self.held = False
        self._claim()
        self.inputs: list[Fingerprint] | None = None if inputs is None else fingerprint_inputs(inputs)
        self._last = time.monotonic()
        self.failure: str | None = None  # why a save failed (a full disk): the scan goes on without saving

    def _claim(self) -> None:
        """Make the folder ours: new, empty, or marked as a dedup checkpoint; anything else is refused.

        The checkpoint deletes the files it wrote when the scan ends; a folder of the user's own files
        (an input folder, a workspace) must never be one it could delete from.
        """
        marker = self.folder / MARKER
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise CheckpointError(f"{self.folder}: not a folder")
            if self.folder.is_dir() and not marker.is_file() and not _only_own_files(self.folder):
                raise CheckpointError(f"{self.folder}: not empty and not a dedup checkpoint; give a new or "
                                      "empty folder (a checkpoint deletes its own files when the scan ends)")
            created = not self.folder.exists()
            parents = 0  # the folders above it that --checkpoint a/b/c makes too: removed with it, when empty
            while created and not self.folder.parents[parents].exists() and parents + 1 < len(self.folder.parents):
                parents += 1
            self.folder.mkdir(parents=True, exist_ok=True)
            if not marker.is_file():
                marker.write_text(json.dumps({"dedup_checkpoint": _FORMAT, "created_folder": created,
                                              "created_parents": parents}) + "\n", encoding="utf-8")
            self._lock = os.open(marker, os.O_RDONLY)
        except OSError as err:
            raise CheckpointError(f"{self.folder}: cannot use as a checkpoint folder "
                                  f"({err.strerror or err})") from None
        try:  # held while this process lives: two scans appending to one reports.bin garbled both
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock)
            raise CheckpointError(f"{self.folder}: in use by another scan (it holds the checkpoint's lock); wait "
                                  "for it to end, or choose another folder") from None

    def release(self) -> None:
        """Let another scan use the folder (the scan using it has ended); a second call does nothing."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None

    @property
    def has_progress(self) -> bool:
        """Whether a scan's progress was saved here (a later run resumes from it)."""
        return (self.folder / "CURRENT").exists()

    @property
    def reports_path(self) -> Path:
        return self.folder / "reports.bin"

    def due(self) -> bool:
        return self.failure is None and time.monotonic() - self._last >= self.every

    def load(self, state) -> int:
        """Restore ``state`` from the folder; the number of input items already read (0: nothing saved)."""
        pointer = self.folder / "CURRENT"
        if not pointer.exists():
            self.reports_path.write_bytes(b"")
            return 0
        slot_name = pointer.read_text().strip()
        if slot_name not in _SLOTS:
            raise CheckpointError(f"{self.folder}: unreadable checkpoint (CURRENT names {slot_name[:40]!r})")
        slot = self.folder / slot_name
        try:
            meta = json.loads((slot / "meta.json").read_text(encoding="utf-8"))
            with np.load(slot / "arrays.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
            raise CheckpointError(f"{self.folder}: unreadable checkpoint ({type(err).__name__}: {err})") from None
        if not isinstance(meta, dict):
            raise CheckpointError(f"{self.folder}: unreadable checkpoint (meta.json holds a JSON "
                                  f"{type(meta).__name__}, not an object)")
        try:
            return self._restore(state, meta, arrays)
        except CheckpointError:  # a ValueError too, but its own words: another scan's, or changed inputs
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OSError) as err:
            raise CheckpointError(f"{self.folder}: unreadable checkpoint ({type(err).__name__}: {err})") from None

    def _restore(self, state, meta: dict, arrays: dict) -> int:
        if meta.get("format") != _FORMAT:
            raise CheckpointError(f"{self.folder}: checkpoint written by another dedup version; "
                                  "remove it to start over")
        if meta["key"] != self.key:
            raise CheckpointError(f"{self.folder}: holds a checkpoint of another scan (other inputs or parameters); "
                                  "remove it or choose another folder")
        self._check_inputs(meta)  # before anything is restored: a refused checkpoint is left as it was
        n = _consistent(meta, arrays, self.reports_path)
        state.ids = meta["ids"]
        state.index = {doc_id: i for i, doc_id in enumerate(state.ids)}
        state.paths = meta["paths"]
        state.readings = [tuple(r) for r in meta.get("readings", [[None, None]] * len(state.paths))]
        state._path_index = {p: i for i, p in enumerate(state.paths)}
        state.path_of, state.offsets = meta["path_of"], meta["offsets"]
        state.skipped = [InputError(source, reason) for source, reason, _ in meta["skipped"]]
        # Positions matter only to tell skips before a later checkpoint from those after; all these are before.
        state.skipped_at = array.array("q", [at for _, _, at in meta["skipped"]])
        state.skipped_at.extend([0] * (meta.get("skipped_count", len(state.skipped)) - len(state.skipped)))
        state.capped = meta["capped"]
        # Dates (keep="earliest") came after format 3 without changing it: a checkpoint without them is
        # one of a scan that kept another way (the key holds --keep), whose documents are undated.
        dates = arrays["dates"] if "dates" in arrays else np.full(n, np.nan)
        state.dates = array.array("d", dates.astype(np.float64).tolist())
        # Text checks came after format 3 without changing it: a checkpoint without them re-reads unchecked.
        checks = arrays["text_checks"] if "text_checks" in arrays else np.full(n, -1)
        state.text_checks = array.array("q", checks.astype(np.int64).tolist())
        _compact_reuse(arrays)
        for name in _ARRAYS:
            # Reuse keys came after format 3 without changing it: a checkpoint without them is one of a
            # scan without reuse (the key holds the reuse parameters).
            if name in arrays or name not in REUSE_ARRAYS:
                getattr(state, "_" + name).append(arrays[name])
        state.n_nodes = meta["n_nodes"]
        state.node_of = dict(zip(arrays["node_fingerprints"].tolist(), arrays["node_numbers"].tolist()))
        state.idf.load(arrays["df"], meta["idf_docs"])
        with open(self.reports_path, "r+b") as spool:
            spool.truncate(meta["reports_bytes"])  # reports written after the checkpoint are redone
        state.reports.restore({int(d): (int(o), int(s)) for d, o, s in arrays["report_where"].tolist()})
        return meta["consumed"]

    def _check_inputs(self, meta: dict) -> None:
        saved = meta["inputs"]
        if saved is None or self.inputs is None:
            if saved != self.inputs:  # fingerprinted one time and not the other: not the same scan
                raise CheckpointError(f"{self.folder}: holds a checkpoint of another scan (its inputs were "
                                      f"{'not ' if saved is None else ''}fingerprinted); remove it or choose "
                                      "another folder")
            return
        changed = first_change(saved, self.inputs)
        if changed is not None:
            name, how = changed
            raise CheckpointError(f"{self.folder}: {name} changed since the checkpoint was made ({how}): "
                                  f"delete {self.folder} to start over, or scan without this checkpoint")

    def save(self, state, consumed: int) -> bool:
        """Write the state of the documents absorbed so far (read ``consumed`` input items); False when it could
        not be written (a full disk: ``failure`` says why, the last checkpoint saved stands, and no more are
        tried: the scan's report matters more than a way to resume it)."""
        if self.failure is not None:
            return False
        try:
            self._save(state, consumed)
            return True
        except OSError as err:
            self.failure = err.strerror or str(err)
            for name in _SLOTS:  # the half-written slot, never the one CURRENT names
                if (self.folder / name).exists() and not self._current(name):
                    _remove_slot(self.folder / name)
            return False

    def _current(self, slot_name: str) -> bool:
        pointer = self.folder / "CURRENT"
        return pointer.exists() and pointer.read_text().strip() == slot_name

    def _save(self, state, consumed: int) -> None:
        state.finish()
        n = len(state.signatures)
        pointer = self.folder / "CURRENT"
        slot_name = "b" if pointer.exists() and pointer.read_text().strip() == "a" else "a"
        slot = self.folder / slot_name
        _remove_slot(slot)
        slot.mkdir()
        where = state.reports.where()
        reports_bytes = state.reports.flush()
        np.savez(slot / "arrays.npz", **{name: getattr(state, name) for name in _ARRAYS},
                 node_fingerprints=np.array(list(state.node_of), dtype=np.uint64),
                 node_numbers=np.array(list(state.node_of.values()), dtype=np.int64), df=state.idf.df,
                 dates=np.frombuffer(state.dates, dtype=np.float64)[:n],
                 text_checks=np.frombuffer(state.text_checks, dtype=np.int64)[:n],
                 report_where=np.array([(d, o, s) for d, (o, s) in where.items()], dtype=np.int64).reshape(-1, 3))
        meta = {
            "format": _FORMAT, "key": self.key, "inputs": self.inputs, "consumed": consumed, "documents": n,
            "ids": state.ids[:n], "paths": state.paths, "readings": state.readings,
            "path_of": state.path_of[:n], "offsets": state.offsets[:n], "n_nodes": state.n_nodes,
            "idf_docs": state.idf.n_docs, "reports_bytes": reports_bytes,
            "skipped": [[e.source, e.reason, at] for e, at in zip(state.skipped, state.skipped_at) if at < consumed],
            "skipped_count": int((np.frombuffer(state.skipped_at, dtype=np.int64) < consumed).sum()),
            "capped": [d for d in state.capped if d < n],
        }
        try:
            data = json.dumps(meta, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a path with a file name that is not UTF-8 (its bytes as lone surrogates):
            data = json.dumps(meta).encode("ascii")  # written as \udcff escapes, read back as they were
        (slot / "meta.json").write_bytes(data)
        _fsync_folder(slot)
        temporary = self.folder / "CURRENT.tmp"
        temporary.write_text(slot_name)
        os.replace(temporary, pointer)
        self._last = time.monotonic()

    def remove(self) -> None:
        """Forget the checkpoint (after the scan's report is written): delete the files it wrote, by name,
        and the folder when nothing else is left in it. Nothing it did not write is ever deleted."""
        try:
            made = json.loads((self.folder / MARKER).read_text(encoding="utf-8"))
            created, parents = made.get("created_folder") is True, made.get("created_parents", 0)
        except (OSError, ValueError, AttributeError):
            created, parents = False, 0
        # CURRENT first: a run stopped here leaves a folder the next one starts afresh in; after the slots,
        # it named a slot that was gone, and every later run of the command was refused.
        for name in ("CURRENT", "CURRENT.tmp"):
            (self.folder / name).unlink(missing_ok=True)
        for name in _SLOTS:
            _remove_slot(self.folder / name)
        for name in ("reports.bin", MARKER):
            (self.folder / name).unlink(missing_ok=True)
        self.release()
        if created:  # a folder the user made stays; ours (and the parents it made) go unless someone put files in
            for folder in [self.folder, *self.folder.parents[:parents if isinstance(parents, int) else 0]]:
                try:
                    folder.rmdir()
                except OSError:
                    break


def _consistent(meta: dict, arrays: dict, reports: Path) -> int:
    """The checkpoint's number of documents, once its parts agree on it (a truncated or hand-edited file read
    as another scan's state gave tracebacks, or wrong reports with exit status 0)."""
    n, consumed = meta["documents"], meta["consumed"]
    lengths = {"ids": len(meta["ids"]), "path_of": len(meta["path_of"]), "offsets": len(meta["offsets"]),
               "distinct ids": len(set(meta["ids"])), "signatures": len(arrays["signatures"])}
    if not (isinstance(n, int) and isinstance(consumed, int) and 0 <= n <= consumed):
        raise CheckpointError(f"{reports.parent}: unreadable checkpoint (documents {n!r}, inputs read {consumed!r})")
    wrong = next((name for name, length in lengths.items() if length != n), None)
    if wrong is not None:
        raise CheckpointError(f"{reports.parent}: unreadable checkpoint ({lengths[wrong]} {wrong} for {n} documents)")
    if not (isinstance(meta["reports_bytes"], int) and 0 <= meta["reports_bytes"] <= reports.stat().st_size):
        raise CheckpointError(f"{reports.parent}: unreadable checkpoint (its reports are cut short)")
    return n


def _only_own_files(folder: Path) -> bool:
    """Whether the folder is empty, or a checkpoint of an earlier dedup (before the marker): it holds only
    names a checkpoint writes, and its slots only a slot's files."""
    for entry in folder.iterdir():
        if entry.name in _SLOTS and entry.is_dir() and not entry.is_symlink():
            if any(f.name not in _SLOT_FILES for f in entry.iterdir()):
                return False
        elif entry.name not in ("CURRENT", "CURRENT.tmp", "reports.bin") or not entry.is_file():
            return False
    return True


def _remove_slot(slot: Path) -> None:
    """Delete a slot's own files, then the slot if it is left empty (no recursive delete)."""
    for name in _SLOT_FILES:
        (slot / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        slot.rmdir()


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _compact_reuse(arrays: dict) -> None:
    """Seeds of a checkpoint written before they were kept compact (each word's sentence as an int64, copied-run
    documents as int64) in today's form: each sentence's word count, int32 documents."""
    if "reuse_units" in arrays and "reuse_unit_words" not in arrays:
        units = arrays.pop("reuse_units")
        arrays["reuse_unit_words"] = np.bincount(units, minlength=len(arrays["reuse_unit_doc"])).astype(np.int32)
    if "reuse_copy_doc" in arrays:
        arrays["reuse_copy_doc"] = arrays["reuse_copy_doc"].astype(np.int32)
