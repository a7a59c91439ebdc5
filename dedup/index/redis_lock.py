"""The lock a Redis index holds over ``Index.check(add=True)``'s check and add (``RedisStore.exclusive``).

Two crawlers checking copies of one page at once each looked before the other had added its copy: both were told
"no duplicate" and both kept theirs. Under the lock each check-and-add waits for the one before, so the second
sees the first's copy. The lock is redis-py's (a key set if absent, with a token only its holder can release);
its key expires after ``LOCK_HOLD`` seconds, so a crashed holder delays the others that long at most (a check
that takes longer than that is no longer alone: rare, a page of thousands of paragraphs aligned).
"""

from __future__ import annotations

import contextlib

from dedup.index.store import IndexWriteError

LOCK_WAIT = 60  # seconds a check-and-add waits for another's: past LOCK_HOLD, so a crashed holder costs a wait
LOCK_HOLD = 30  # seconds after which a held lock expires


@contextlib.contextmanager
def held_lock(store):
    """``store``'s check lock held over a block (nothing for a read-only store, which adds nothing)."""
    if store.read_only:
        yield
        return
    lock = store.r.lock(store._key("check-lock"), timeout=LOCK_HOLD, blocking_timeout=LOCK_WAIT)
    try:
        acquired = lock.acquire()
    except store._redis.RedisError as err:
        raise store._error(err) from err
    if not acquired:
        raise IndexWriteError(f"{store.where}: locked by another process (waited {LOCK_WAIT} s); nothing was "
                              "written, try again when it is done")
    try:
        yield
    finally:
        try:
            lock.release()
        except store._redis.RedisError:  # expired past LOCK_HOLD (maybe another's by now), or Redis gone: the
            pass  # key expires on its own, and the check's own result or error is what the caller gets
