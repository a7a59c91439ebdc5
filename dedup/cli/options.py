"""What every dedup command shares: option types, the one-line error, and input options."""

from __future__ import annotations

import functools
import math
import os
import sys

import click

from dedup.io.html_input import FORMATS as INPUT_FORMATS
from dedup.io.html_input import MissingExtraError
from dedup.io.outputs import OutputError, WriteError
from dedup.io.readers import DEFAULT_MAX_BYTES, InputError
from dedup.io.walk import expand
from dedup.report.formats import printable
from dedup.util.workers import WorkerLost


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses NaN and infinities (every comparison with NaN is false, so FloatRange
    lets it through and the error would come later, under a library parameter's name)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


UNIT = FiniteRange(0.0, 1.0, min_open=True)


MAX_SIZE = 1 << 40  # 1 TiB: far past any document dedup can hold in memory, and far inside every integer it meets


class ByteSize(click.ParamType):
    """A size in bytes from 1 to ``MAX_SIZE``: ``67108864``, ``64MiB``, ``64M``, ``500KB`` (K, M, G, T are
    powers of 1,024). Past the range is a usage error naming it (``1e30`` and ``inf`` were an OverflowError)."""

    name = "size"
    _UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
              "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40,
              "tib": 1 << 40}

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            size: float = value
        else:
            text = str(value).strip().lower().replace(" ", "")
            number = text.rstrip("kmgtib")
            unit = text[len(number):]
            try:
                size = float(number) * self._UNITS[unit]
            except (KeyError, ValueError):
                self.fail(f"{value!r} is not a size (e.g. 67108864, 64MiB, 500KB).", param, ctx)
        # Compared as a float, before int(): int(inf) and int(nan) raise, and 1e30 overflowed later reads.
        if math.isnan(size) or not 1 <= size <= MAX_SIZE:
            self.fail(f"{value!r} is out of range: give a size from 1 byte to 1TiB.", param, ctx)
        return int(size)


def max_bytes_option():
    return click.option("--max-bytes", type=ByteSize(), default=f"{DEFAULT_MAX_BYTES >> 20}MiB", show_default=True,
                        help="Refuse a document (a file, or a JSON Lines record once decompressed) larger than this "
                             "(bytes, or with a unit: 500KB, 64MiB; 1 byte to 1TiB).")


def field_name(ctx, param, value: str) -> str:
    """A JSON Lines field name given on the command line: an empty one is refused naming the option (``--date-field
    ''`` was refused as "date_field", the library's name, by some commands and taken by others)."""
    if not value.strip():
        raise click.BadParameter("is empty or only whitespace; give a field name")
    return value


def error(message: str) -> None:
    """One line on stderr; names from the input (file names, ids) cannot break it or send terminal escapes."""
    click.echo(f"dedup: error: {printable(message)}", err=True)


def exit_on_broken_pipe(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
    return wrapper


def one_line_errors(statuses: dict[type[BaseException], int]):
    """A decorator: an exception of one of ``statuses``' types ends the command with its message in one line
    (``error``) and that type's exit status, instead of a traceback."""
    kinds = tuple(statuses)

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            try:
                return command(*args, **kwargs)
            except kinds as err:
                error(str(err))
                sys.exit(next(status for kind, status in statuses.items() if isinstance(err, kind)))
        return wrapper
    return decorate


# An output refused before the scan (a missing folder, a folder where a file goes, one of the inputs): status 2;
# a write that fails (a full disk): status 1, the file it would have replaced left as it was.
output_errors = one_line_errors({OutputError: 2, WriteError: 1, WorkerLost: 1})


def input_format_option(command):
    """``--input-format``, for every command that reads documents; a missing html extra ends it with one line."""

    wrapper = one_line_errors({MissingExtraError: 1})(command)
    return click.option(
        "--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
        help="How to read inputs and JSON Lines text fields: text, html (the page's main text), or auto: "
             ".html/.htm files and anything that starts like HTML are HTML.")(wrapper)


def stdin_once(paths) -> None:
    """A usage error when ``-`` (standard input) is given more than once: it can be read only once, and the
    second would be reported as an empty input."""
    if list(paths).count("-") > 1:
        raise click.UsageError("- (standard input) can be given only once")


def input_bytes(paths: tuple[str, ...]) -> int | None:
    """Total size of plain (not gzipped) inputs, for the progress ETA; None when unknown."""
    total = 0
    for item in expand(list(paths)):
        if isinstance(item, InputError) or item == "-" or item.lower().endswith(".gz") or not os.path.isfile(item):
            return None
        total += os.path.getsize(item)
    return total


_RENAMED_KEY = "dedup_renamed_options"


def renamed_option(old: str, new: str, dest: str, type=None):
    """``old``, the former name of ``new`` (whose value is ``dest``): hidden, still accepted for one release,
    with a warning on stderr; ``with_renamed`` hands its value to ``dest``."""

    def remember(ctx: click.Context, param, value):
        if value is not None:
            click.echo(f"dedup: warning: {old} is now {new}; the old name goes in the next release", err=True)
            ctx.meta.setdefault(_RENAMED_KEY, {})[dest] = (old, new, value)
        return value

    return click.option(old, type=type or UNIT, default=None, hidden=True, expose_value=False, callback=remember)


def with_renamed(params: dict) -> dict:
    """``params`` with the values given under an option's old name (``renamed_option``), taken once; the same
    setting given under both names with two values is a usage error."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return params
    for dest, (old, new, value) in ctx.meta.pop(_RENAMED_KEY, {}).items():
        source = ctx.get_parameter_source(dest)
        if source is not None and source.name != "DEFAULT" and params.get(dest) not in (None, value):
            raise click.UsageError(f"{old} {value} and {new} {params[dest]} are one setting; give it once")
        params[dest] = value
    return params


def restated_searched(params: dict, restated: bool) -> bool:
    """``clean``'s ``--restated`` once squared with ``--within``, which its search needs (``params["within"]``
    set to match): ``--no-within`` alone keeps restated paragraphs (they are not searched: it was ignored, the
    search run all the same), and with ``--restated`` given too it is a usage error."""
    context = click.get_current_context()
    if params["within"] or context.get_parameter_source("within").name == "DEFAULT":
        params["within"] = params["within"] or restated
        return restated
    if restated and context.get_parameter_source("restated").name != "DEFAULT":
        raise click.UsageError("--no-within skips the search for restated paragraphs that --restated strips: "
                               "give one of them")
    return False
