"""Scratch folders in the temporary folder, named for the process that made them, and those of dead processes
removed.

A command removes its scratch folders when it ends, on an error or a signal it can handle. SIGKILL (an
out-of-memory killer, a ``timeout -s KILL``, a crawler's supervisor) leaves them, and nothing removed them: a
copy of stdin per killed ``dedup clean -`` (22 MB each in one trial), a pool's result files. Each folder's name
now says which process made it (``dedup-inputs-<host>-<pid>-XXXX``, the host being this machine's boot and PID
namespace: another container's PID 40 is not ours), and the first scratch folder a process makes removes the
folders of processes of this boot and namespace that no longer run, owned by this user. Where the system cannot
say (no ``/proc``), names carry no process and nothing is removed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from functools import lru_cache

_NAME = re.compile(r"dedup-[a-z]+-([0-9a-f]{16})-(\d+)-")


@lru_cache(maxsize=1)
def _host() -> str | None:
    """This boot and PID namespace, as 16 hex digits; None where Linux's ``/proc`` does not say."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as boot:
            boot_id = boot.read().strip().replace("-", "")
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except (OSError, ValueError):
        return None
    return f"{int(boot_id[:8], 16) ^ namespace:08x}{boot_id[8:16]}"


def prefix(kind: str) -> str:
    """The name prefix of a scratch folder of ``kind`` (``inputs``, ``seeds`` ...) for ``tempfile``; the first call
    of a process first removes the folders dead processes left (``sweep``)."""
    host = _host()
    if host is None:
        return f"dedup-{kind}-"
    _swept()
    return f"dedup-{kind}-{host}-{os.getpid()}-"


@lru_cache(maxsize=1)
def _swept() -> int:
    return sweep()


def sweep(folder: str | None = None) -> int:
    """Remove the scratch folders in ``folder`` (the temporary folder) that processes of this boot and PID
    namespace made and left when they were killed; how many. Never one of a live process, another user's, or
    another machine's or container's."""
    host = _host()
    if host is None:
        return 0
    removed = 0
    try:
        entries = list(os.scandir(folder or tempfile.gettempdir()))
    except OSError:
        return 0
    for entry in entries:
        found = _NAME.match(entry.name)
        if found is None or found.group(1) != host or _alive(int(found.group(2))):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process: alive; a PID no process can have
        return True
    return True
