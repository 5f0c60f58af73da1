"""The commands of the ``csi`` command line (:mod:`csi.cli`), one module per command.

Each command module (:mod:`~csi.cli_commands.report`, :mod:`~csi.cli_commands.fit`,
:mod:`~csi.cli_commands.ahp`, :mod:`~csi.cli_commands.weights`,
:mod:`~csi.cli_commands.validate`) imports the libraries it needs at module level and
offers

``run(args, out, err) -> int``
    run the command with the parsed arguments, printing results to ``out`` and
    progress and warnings to ``err``; returns the exit code;
``INPUT_ERRORS``
    the exceptions that mean bad input (exit code 2 and one line), not a bug.

:data:`csi.cli.COMMANDS` names the module of each command, and :func:`csi.cli.main`
imports only the one that runs. This package itself holds the exit codes and the
message helpers, and imports nothing but the standard library, so that ``csi --help``
stays quick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

__all__ = ["EXIT_ERROR", "EXIT_INPUT", "EXIT_OK", "EXIT_PARTIAL", "one_line", "progress"]

#: Success.
EXIT_OK = 0
#: An unexpected error (a bug).
EXIT_ERROR = 1
#: Bad input or usage.
EXIT_INPUT = 2
#: ``csi report``: a requested part of the report could not be produced.
EXIT_PARTIAL = 3


def progress(err: TextIO, quiet: bool) -> Callable[[str], None]:
    """A function printing ``csi: <message>`` to ``err`` (nothing when ``quiet``)."""

    def say(message: str) -> None:
        if not quiet:
            print(f"csi: {message}", file=err, flush=True)

    return say


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line; a missing or unreadable file is named."""
    text = " ".join(str(exc).split())
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"file not found: {exc.filename}"
    elif isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}"
    return text or type(exc).__name__
