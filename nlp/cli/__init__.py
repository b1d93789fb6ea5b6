"""The `nlp` command line: one module per command group, each a thin layer over the library.

Every error of the library's family (`nlp.errors`) reaches the user here, once, as one
line with its code, and leaves with the code's exit status (README, "Exit codes"):
0 all good, 1 some inputs failed, 2 usage, 3 model/config/output, 130 interrupted.
"""

from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from nlp.cli import annotations as gold
from nlp.cli import ls, panel, run, training
from nlp.cli.common import err
from nlp.errors import INTERRUPTED, NlpError


class _Commands(TyperGroup):
    """Typer's group with the one error handler of the command line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NlpError as exc:
            err.print(f"[red]{escape(exc.line())}[/]", highlight=False)
            raise typer.Exit(exc.exit_code) from exc
        except KeyboardInterrupt as exc:
            err.print("[red]interrupted[/]: what was finished is written; run again with --resume")
            raise typer.Exit(INTERRUPTED) from exc


app = typer.Typer(
    cls=_Commands,
    help="Extract statistical records from Chinese government reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
run.register(app)
app.add_typer(gold.app, name="annotations")
training.register(app)
panel.register(app)
app.add_typer(ls.app, name="ls")


def main() -> None:
    app()
