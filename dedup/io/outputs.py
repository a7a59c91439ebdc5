"""Where the outputs go, checked before anything is scanned: one line naming the path, never a traceback
after an hour's scan.

An output file needs an existing, writable folder and must not be a folder itself; ``-o`` ending in a path
separator names a folder. Nothing is written over an input: an output that is one of the inputs (also
through a link, or through ``..``), or a cleaned copy that would land on an input file or inside an input
folder, is refused; every cleaned copy lands inside the ``-o`` folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from dedup.io.walk import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, expand, is_folder, is_jsonl


class OutputError(Exception):
    """The output cannot take this input's shape, cannot be written, or would overwrite an input; the
    message (one line, naming the path) says what to give instead."""


class WriteError(Exception):
    """Writing an output failed part-way (a full disk, a folder made read-only meanwhile); the message names
    the output. What was there before is left as it was."""

    def __init__(self, output: str, err: OSError) -> None:
        super().__init__(f"{output}: cannot write ({err.strerror or err})")


def names_a_folder(output: str) -> bool:
    """Whether ``-o`` ends in a path separator: the user means a folder, made if missing (``out/``)."""
    return output.endswith(os.sep) or bool(os.altsep and output.endswith(os.altsep))


def check_file_output(output: str) -> None:
    """Raise ``OutputError`` unless ``output`` ("-": standard output) can be written as one file."""
    if output == "-":
        return
    if output == "":
        raise OutputError("-o '': an empty path; give a file name, or - for standard output")
    target = Path(output)
    try:
        if target.is_symlink():
            os.stat(output)  # a loop of links raises: a shell's > refuses it too, rather than replace the link
        if names_a_folder(output) or target.is_dir():
            raise OutputError(f"{output}: names a folder; give a file name")
        _check_folder_writable(target.parent, output)
    except FileNotFoundError:  # a link to nothing yet: written where it points, as a shell's > does
        _check_folder_writable(Path(os.path.realpath(output)).parent, output)
    except OSError as err:  # a name too long for the file system, a loop of links
        raise OutputError(f"{output}: cannot write ({err.strerror or err})") from None


def _check_folder_writable(folder: Path, output: str, made: bool = False) -> None:
    """Raise unless files can be made in ``folder``; with ``made`` it may be missing (it is made, parents
    and all, when written), and the nearest folder above it that exists is checked instead."""
    existing = folder
    while made and not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.exists():
        raise OutputError(f"{output}: the folder {existing} does not exist")
    if not existing.is_dir():
        raise OutputError(f"{output}: {existing} is not a folder")
    # os.access sees read-only mounts and immutable folders too (inode_permission), even for root.
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{output}: cannot write in {existing} (permission denied)")


def _same_or_inside(output: str, place: str) -> bool:
    """Whether ``output`` is ``place`` or lies inside it (links and ``..`` resolved; either may not exist yet)."""
    target, folder = Path(os.path.realpath(output)), Path(os.path.realpath(place))
    if os.path.exists(output) and os.path.exists(place) and os.path.samefile(output, place):
        return True  # a hard link to it
    return target == folder or folder in target.parents


def refuse_overwriting_index(output: str, db_path: str) -> None:
    """Raise ``OutputError`` when writing ``output`` would land on the SQLite index ``db_path`` or one of the files
    SQLite keeps beside it (its write-ahead log, shared memory or journal): the report would replace the index,
    or SQLite would delete the report when it closes the index."""
    if output == "-":
        return
    # SQLite keeps its files beside the file a link names, not beside the link: "-o real.db-wal" for an index named
    # through link.db -> real.db replaced the live write-ahead log.
    for base in dict.fromkeys((db_path, os.path.realpath(db_path))):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if _same_or_inside(output, base + suffix):
                its = f" (its {suffix[1:]} file)" if suffix else ""
                raise OutputError(f"{output}: is the index {db_path}{its}; write the output elsewhere")


def refuse_output_in_input_folder(output: str, paths: Iterable[str]) -> None:
    """Raise ``OutputError`` when a report ``output`` lies inside an input folder under a name the folder walk reads
    (.txt, .md, .html, .jsonl): the next scan of the folder read the report as one of its documents (and refused the
    same command, the report now an input)."""
    if output == "-" or not output.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES):
        return  # a name the folder walk passes by ("report.json", "report.csv")
    for root in (p for p in paths if p != "-" and is_folder(p)):
        if _same_or_inside(output, root):
            raise OutputError(f"{output}: inside the input folder {root}, whose files a scan reads (the next would "
                              "read this report as a document); write it elsewhere")


def refuse_output_in_checkpoint(output: str, folder: str) -> None:
    """Raise ``OutputError`` when ``output`` is the checkpoint ``folder`` or inside it: a scan deletes its
    checkpoint's files once the report is written, and a report named as one of them went with them."""
    if output != "-" and _same_or_inside(output, folder):
        where = "is" if os.path.realpath(output) == os.path.realpath(folder) else "inside"
        raise OutputError(f"{output}: {where} the checkpoint folder {folder}, whose files the scan deletes when it "
                          "is done; write the report elsewhere")


def _real_files(paths: Iterable[str]) -> list[str]:
    return [p for p in expand(list(paths)) if isinstance(p, str) and p != "-" and os.path.exists(p)]


def refuse_overwriting_inputs(output: str, paths: Iterable[str]) -> None:
    """Raise ``OutputError`` when writing ``output`` would overwrite one of the input files ``paths``."""
    if output == "-" or not os.path.exists(output):
        return
    for item in _real_files(paths):
        if os.path.samefile(output, item):
            same = "" if os.path.abspath(item) == os.path.abspath(output) else f" ({item})"
            raise OutputError(f"{output}: is one of the inputs{same}; write the output elsewhere")


_FILE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + (".gz", ".json", ".csv")


@dataclass
class CleanPlan:
    """Where ``dedup clean`` writes, settled before the scan: ``kind`` is "jsonl" or "text" (one file,
    ``output``, in ``folder`` when -o named one: made if missing), or "folder" (each input file's copy at
    ``targets[path]``)."""

    kind: str
    output: str
    targets: dict[str, Path] = field(default_factory=dict)
    folder: Path | None = None


def plan_clean(output: str, paths: list[str], names: dict[str, str] | None = None) -> CleanPlan:
    """Where each cleaned copy goes; raise ``OutputError`` for an output of the wrong shape, one that
    cannot be written, or one that would write over an input.

    ``paths`` are the inputs as read (``names`` maps a spooled copy to the input it stands for). A ``-o``
    that is a folder (it exists, or ends in a separator) takes one input file as ``FOLDER/<its name>``.
    """
    try:
        return _plan_clean(output, paths, names or {})
    except OSError as err:  # a name too long for the file system, a loop of links
        raise OutputError(f"{err.filename or output}: cannot write ({err.strerror or err})") from None


def _plan_clean(output: str, paths: list[str], names: dict[str, str]) -> CleanPlan:
    refuse_overwriting_inputs(output, paths)  # first: it says more than "not a folder" for -o INPUT
    files = [p for p in expand(list(paths)) if isinstance(p, str)]
    into_folder = output != "-" and (names_a_folder(output) or os.path.isdir(output))
    if files and all(is_jsonl(p) for p in files):
        if into_folder and len(files) > 1:
            raise OutputError(f"{output}: several JSON Lines inputs are written into one file; give -o FILE")
        if into_folder:  # standard input's copy is named for what it holds (stdin.jsonl, stdin.jsonl.gz), not "-"
            given = names.get(files[0], files[0])
            return _into_folder(Path(output), Path(files[0] if given == "-" else given).name, paths)
        return _one_file("jsonl", output)
    if any(is_jsonl(p) for p in files):
        raise OutputError("clean takes JSON Lines files or text files, not both at once")
    if len(files) == 1 and not is_folder(paths[0]) and not into_folder:
        return _one_file("text", output)
    if output == "-":
        raise OutputError("several text files need a folder to write into: give -o FOLDER")
    if output == "":
        raise OutputError("-o '': an empty path; give a folder")
    return CleanPlan("folder", output, _folder_layout(Path(output), paths, files, names))


def _one_file(kind: str, output: str) -> CleanPlan:
    check_file_output(output)  # plan_clean refused an output that is one of the inputs already
    return CleanPlan(kind, output)


def _into_folder(folder: Path, name: str, paths: list[str]) -> CleanPlan:
    """One JSON Lines input's copy as ``folder/<its name>`` (-o named a folder, as ``cp a.jsonl out/``)."""
    _check_folder_writable(folder, str(folder), made=True)
    output = str(folder / name)
    if os.path.isdir(output):
        raise OutputError(f"{output}: is a folder; the cleaned copy of a file cannot replace it")
    refuse_overwriting_inputs(output, paths)
    return CleanPlan("jsonl", output, folder=folder)


def _folder_layout(folder: Path, paths: list[str], files: list[str], names: dict[str, str]) -> dict[str, Path]:
    """Where each input file's cleaned copy goes in ``folder``, keeping the inputs' relative layout.

    One input folder: paths relative to it. Anything else: paths relative to the inputs' common folder,
    so ``ca/x.txt`` and ``cb/x.txt`` stay apart. Refused before anything is written: a folder that is,
    or is inside, an input folder; a copy that would land on any input file, inside an input folder, or
    outside ``folder``; two inputs with one target; a file where a folder is needed or the reverse.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    if not folder.exists() and folder.suffix.lower() in _FILE_SUFFIXES and not names_a_folder(str(folder)):
        raise OutputError(f"{folder}: several inputs are written into a folder, and this names a file; "
                          "give -o FOLDER")
    _check_folder_writable(folder, str(folder), made=True)
    roots = [Path(p) for p in paths if is_folder(p)]
    for root in roots:
        if folder.resolve() == root.resolve() or root.resolve() in folder.resolve().parents:
            raise OutputError(f"{folder}: is or is inside the input folder {root}; write the cleaned copy elsewhere")
    real = [f for f in files if f not in names]
    # abspath, not Path.absolute(): it folds "..", so ../notes/y.txt is laid out as notes/y.txt under the
    # inputs' common folder instead of climbing out of ``folder``.
    if len(paths) == 1 and roots:
        base = os.path.abspath(roots[0])
    else:
        anchors = [os.path.abspath(p) if is_folder(p) else os.path.dirname(os.path.abspath(p))
                   for p in paths if p in real or is_folder(p)]
        base = os.path.commonpath(anchors) if anchors else os.getcwd()
    inputs = _Inputs(real, roots)
    inside = folder.resolve()
    targets: dict[str, Path] = {}
    by_target: dict[Path, str] = {}
    for f in files:
        name = names.get(f)
        relative = Path("stdin.txt" if name == "-" else Path(name).name) if name is not None else \
            Path(os.path.relpath(os.path.abspath(f), base))
        target = folder / relative
        if target in by_target:
            raise OutputError(f"{by_target[target]} and {name or f} would both be written to {target}; "
                              "clean them into separate folders")
        # The folders on the way are followed when written; the file itself is replaced, not followed.
        resolved = target.parent.resolve() / target.name
        if inside not in resolved.parents:
            raise OutputError(f"{target}: outside the output folder {folder}; give inputs that share a folder")
        inputs.refuse(target, resolved)
        _refuse_file_in_the_way(target, folder)
        targets[f], by_target[target] = target, name or f
    return targets


class _Inputs:
    """The input files and folders, resolved once, to test each target against all of them."""

    def __init__(self, files: list[str], roots: list[Path]) -> None:
        self.files = {os.path.realpath(f): f for f in files if os.path.exists(f)}
        self.ids = {(s.st_dev, s.st_ino): f for f in self.files.values() for s in [os.stat(f)]}
        self.roots = [(r.resolve(), r) for r in roots]

    def refuse(self, target: Path, resolved: Path) -> None:
        same = self.files.get(str(resolved))
        if same is None and target.exists():
            stat = target.stat()
            same = self.ids.get((stat.st_dev, stat.st_ino))
        if same is not None:
            named = "" if os.path.abspath(same) == os.path.abspath(target) else f" ({same})"
            raise OutputError(f"{target}: is one of the inputs{named}; write the cleaned copy elsewhere")
        for real, root in self.roots:
            if real in resolved.parents:
                raise OutputError(f"{target}: is inside the input folder {root}; write the cleaned copy elsewhere")


def _refuse_file_in_the_way(target: Path, folder: Path) -> None:
    """A folder where the copy goes, or a file where one of its folders goes, would fail mid-write."""
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; the cleaned copy of a file cannot replace it")
    for parent in target.relative_to(folder).parents:
        if parent != Path(".") and (folder / parent).exists() and not (folder / parent).is_dir():
            raise OutputError(f"{target}: {folder / parent} is a file, not a folder")
