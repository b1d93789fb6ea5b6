"""`nlp ls …`: the Label Studio round trip (config, push reports with predictions, pull)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from nlp.cli.common import Glob, Inputs, ModelOption, console, err, load_extractor
from nlp.errors import UsageError

app = typer.Typer(
    help="The Label Studio round trip: config, push reports with predictions, pull annotations.\n\n"
    "Server and key come from LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (or --url/--api-key).",
    no_args_is_help=True,
)
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", envvar="LABEL_STUDIO_URL", help="Label Studio server, e.g. http://localhost:8080."
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="LABEL_STUDIO_API_KEY",
        show_default=False,
        help="Access token (Account & Settings); never printed.",
    ),
]
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project title.")]


def _connection(url: str | None, api_key: str | None) -> Any:
    from nlp.training.labelstudio import Connection

    return Connection.from_env(url, api_key)


@app.command("config")
def config() -> None:
    """Print the labeling config for a project's Settings → Labeling Interface → Code.

    `ls push` sets it on the projects it creates."""
    from nlp.training.labelstudio import label_config

    typer.echo(label_config(), nl=False)


@app.command("push")
def push(
    paths: Inputs,
    project: ProjectOption,
    model: ModelOption = None,
    use_rules: Annotated[
        bool, typer.Option("--rules", help="Predict with the regex baseline (same as -m rules).")
    ] = False,
    url: UrlOption = None,
    api_key: KeyOption = None,
    glob: Glob = "*",
) -> None:
    """Import reports as tasks with the model's spans and records as predictions.

    Creates the project (with `ls config`'s labeling config) if needed. A report whose text
    is already in the project is skipped, so pushing twice is safe. Each task keeps its
    source path, document year and content hash in data.meta.

    Example: nlp ls push reports/batch-3/ --project reports-2021
    """
    from nlp.io import iter_inputs
    from nlp.training.labelstudio import push as push_tasks

    if use_rules and model not in (None, "rules"):
        raise UsageError("give --model or --rules, not both")
    conn = _connection(url, api_key)
    # annotators correct every span, not only those near a figure
    extractor = load_extractor("rules" if use_rules else model, "auto", 32, all_spans=True)
    with err.status("pushing") as status:
        summary = push_tasks(
            conn,
            project,
            iter_inputs(paths, glob=glob),
            extractor,
            on_document=lambda doc: status.update(f"predicted {doc}"),
        )
    console.print(
        f"project {project!r} (id {summary.project}): {len(summary.created)} task(s) created, "
        f"{len(summary.skipped)} already there; predictions by {extractor.version}"
    )
    for _, reason in summary.failures:
        err.print(f"[red]failed:[/] {escape(reason)}", highlight=False)
    if summary.failures:
        raise typer.Exit(1)


@app.command("pull")
def pull(
    project: ProjectOption,
    out: Annotated[Path, typer.Option("-o", "--out", help="Label Studio JSON file to write.")],
    url: UrlOption = None,
    api_key: KeyOption = None,
) -> None:
    """Export annotated tasks (full JSON), validate them, and write the valid ones.

    The file written is gold data for `nlp train`, `nlp evaluate` and `nlp crossval`.

    Rejected tasks are listed with every reason (exit code 1); the valid ones are written.

    Example: nlp ls pull --project reports-2021 -o annotations/reports-2021.json
    """
    from nlp.training.annotations import save_tasks
    from nlp.training.labelstudio import pull as pull_tasks

    summary = pull_tasks(_connection(url, api_key), project)
    save_tasks(summary.tasks, out)
    console.print(
        f"{len(summary.tasks)} annotated task(s) → {out}; {len(summary.rejected)} rejected, "
        f"{summary.unannotated} not annotated yet"
    )
    for where, reasons in summary.rejected:
        for reason in reasons:
            err.print(f"[red]rejected:[/] {escape(where)}: {escape(reason)}", highlight=False)
    if summary.rejected:
        raise typer.Exit(1)
