"""One error family: every error the library raises on purpose is an `NlpError` with a stable
code, says what went wrong and where (file, task, line), and where it can, how to fix it.

The command line turns any of them into one line, ``error[CODE]: where: what (fix: …)``,
and an exit code (README, "Exit codes"):

=========  ====  ================================================================
code       exit  meaning
=========  ====  ================================================================
input      1     a report (or span/record file) that cannot be read
annotation 1     gold data that is not a valid export, or markup that does not parse
usage      2     an option or argument that cannot be used as given
config     3     a run config that cannot be used
model      3     no model where one was asked for, or one that cannot be loaded
labelstudio 3    the Label Studio server cannot be reached, refuses, or lacks something
output     3     an output that cannot be written (permissions, full disk, a directory)
=========  ====  ================================================================

Exit 0 means every input succeeded; 1 also means "the run finished but some inputs failed"
(each is named); 130 an interrupted run (Ctrl-C).
"""

from __future__ import annotations

from typing import ClassVar


class NlpError(Exception):
    """Base of the family: ``what`` went wrong, ``where`` (a path, ``file:line``, a task)
    and the ``fix`` when one is known."""

    code: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 3

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what, self.where, self.fix = what, where, fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} (fix: {self.fix})" if self.fix else text

    def line(self) -> str:
        """The one line the user sees."""
        return f"error[{self.code}]: {self}"


class InputError(NlpError, ValueError):
    """A report, span-line or record-line file that cannot be read."""

    code = "input"
    exit_code = 1


class AnnotationError(NlpError, ValueError):
    """Gold data that is not a Label Studio export this project can read, or bad markup."""

    code = "annotation"
    exit_code = 1


class UsageError(NlpError, ValueError):
    """An option or argument that cannot be used as given."""

    code = "usage"
    exit_code = 2


class ConfigError(NlpError, ValueError):
    """A run config that cannot be used; names the key and how to fix it."""

    code = "config"
    exit_code = 3


class ModelError(NlpError, FileNotFoundError):
    """No model where one was asked for, or one that cannot be loaded."""

    code = "model"
    exit_code = 3


class LabelStudioError(NlpError, RuntimeError):
    """The server cannot be reached, refuses the key, or lacks what was asked for."""

    code = "labelstudio"
    exit_code = 3


class OutputError(NlpError, OSError):
    """An output that cannot be written: permissions, a full disk, a directory in the way."""

    code = "output"
    exit_code = 3


INTERRUPTED = 130
