"""What a batch skipped, in bounded memory: every skip counted, the first ``MAX_LISTED`` kept with reasons.

A file of 200,000 bad lines once held 3.5 KB per skipped record (each error kept its traceback and the
line it came from); a ``SkipLog`` keeps two short strings for the first ones and a count for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.io.readers import InputError

MAX_LISTED = 1000  # skipped inputs named on stderr and in the report; later ones are only counted


@dataclass
class SkipLog:
    """Skipped inputs: ``count`` of them all, ``listed`` (``{"id", "error"}``) for the first ``limit``."""

    limit: int = MAX_LISTED
    count: int = 0
    listed: list[dict] = field(default_factory=list)

    def add(self, error: InputError) -> bool:
        """Count ``error``; whether it was listed (it should then be shown to the user)."""
        self.count += 1
        if len(self.listed) >= self.limit:
            return False
        self.listed.append({"id": error.source, "error": error.reason})
        return True

    def missing_field(self, text_field: str) -> str | None:
        """When every listed skip is a record without ``text_field``, what the first one said it has instead
        (``"its fields: 'id', 'body'"``); else None."""
        prefix = f"no {text_field!r} field ("
        if not self.listed or not all(item["error"].startswith(prefix) for item in self.listed):
            return None
        return self.listed[0]["error"][len(prefix):].removesuffix(")")

    @property
    def unlisted(self) -> int:
        return self.count - len(self.listed)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

