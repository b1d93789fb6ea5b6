"""The Label Studio round trip: reports go up as tasks with the model's spans and records as
predictions; annotated tasks come back through the SDK's full JSON export, are validated
with the same checker as the gold files, and only valid ones are kept.

Connection settings come from ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` (or are
passed in). The key is never printed, logged or put into an error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from nlp.errors import InputError, LabelStudioError, UsageError
from nlp.io import text_sha256
from nlp.schema import AMOUNT, LABELS, Document
from nlp.training.annotations import (
    APPROXIMATE_NAME,
    CHANGE_NAME,
    CHANGES,
    FROM_NAME,
    RELATION_FIELDS,
    TO_NAME,
    AnnotationError,
    Task,
    task_from_ls,
    task_from_records,
    task_results,
)
from nlp.training.validate import check_task

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

    from nlp.extractor import Extractor

URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"
IMPORT_BATCH = 50  # tasks per import request: a few MB of text at most

# One colour per label, so that annotators see the same colours in every project.
COLOURS = {
    "INDICATOR": "#1f77b4",
    "AMOUNT": "#d62728",
    "UNIT": "#ff7f0e",
    "DATE": "#2ca02c",
    "PROJECT": "#9467bd",
}


def label_config() -> str:
    """The labeling config: the schema's span labels on single characters, relations
    from an AMOUNT to the fields of its record (guidelines, section 3), and the record's
    change and approximate flag as choices on the selected AMOUNT."""
    labels = "\n".join(
        f"    <Label value={quoteattr(label)} background={quoteattr(COLOURS.get(label, '#888'))}/>"
        for label in LABELS
    )
    relations = "\n".join(f"    <Relation value={quoteattr(f)}/>" for f in RELATION_FIELDS.values())
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{labels}\n  </Labels>\n'
        f"  <Relations>\n{relations}\n  </Relations>\n"
        f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
        f'  <View visibleWhen="region-selected" whenLabelValue="{AMOUNT}">\n'
        f'    <Choices name="{CHANGE_NAME}" toName="{TO_NAME}" perRegion="true">\n'
        + "".join(f'      <Choice value="{c}"/>\n' for c in CHANGES)
        + "    </Choices>\n"
        f'    <Choices name="{APPROXIMATE_NAME}" toName="{TO_NAME}" perRegion="true">\n'
        f'      <Choice value="{APPROXIMATE_NAME}"/>\n'
        "    </Choices>\n"
        "  </View>\n"
        "</View>\n"
    )


@dataclass(frozen=True)
class Connection:
    """Where the server is and the key to it (kept out of ``repr``)."""

    url: str
    api_key: str = field(repr=False)

    @classmethod
    def from_env(cls, url: str | None = None, api_key: str | None = None) -> Connection:
        import os

        url = url or os.environ.get(URL_ENV)
        api_key = api_key or os.environ.get(KEY_ENV)
        if not url:
            raise UsageError("no Label Studio server given", fix=f"set {URL_ENV} or pass --url")
        if not api_key:
            raise UsageError(
                "no Label Studio API key given",
                fix=f"set {KEY_ENV} or pass --api-key (Account & Settings → Access Token)",
            )
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            raise UsageError(
                f"{redact(url)} is not a server address",
                fix="give one such as http://localhost:8080",
            )
        return cls(url.rstrip("/"), api_key)

    @property
    def shown(self) -> str:
        """The server address as messages show it: no user name or password."""
        return redact(self.url)

    def client(self) -> LabelStudio:
        try:
            from label_studio_sdk import LabelStudio
        except ImportError as exc:
            raise UsageError(
                "the Label Studio SDK is not installed", fix="pip install 'nlp[labelstudio]'"
            ) from exc
        return LabelStudio(base_url=self.url, api_key=self.api_key, timeout=120)

    def call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` with the SDK's and httpx's failures turned into one clear
        `LabelStudioError` (the SDK's own messages carry response headers and cookies)."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            return fn(*args, **kwargs)
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise LabelStudioError(
                f"cannot reach Label Studio at {self.shown} ({type(exc).__name__}: "
                f"{redact(str(exc))}); is the server running?"
            ) from exc
        except ApiError as exc:
            raise LabelStudioError(_api_message(what, self.shown, exc)) from exc


def redact(text: str) -> str:
    """A URL (or a message holding one) without the credentials inside it."""
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", text)


def _api_message(what: str, url: str, exc: Any) -> str:
    status = exc.status_code
    if status == 401:
        return f"{url} refused the API key ({what}): check {KEY_ENV} or --api-key"
    if status == 403:
        return f"{url}: the API key's user may not {what}"
    if status == 404:
        return f"{url}: not found while trying to {what}"
    body = exc.body if isinstance(exc.body, dict) else {}
    detail = body.get("validation_errors") or body.get("detail") or ""
    return f"{url}: HTTP {status} while trying to {what} {detail}".rstrip()


def find_project(conn: Connection, client: LabelStudio, title: str) -> int | None:
    """The id of the project with this exact title, or None."""
    projects = conn.call("list projects", lambda: list(client.projects.list(title=title)))
    return next((p.id for p in projects if p.title == title), None)


def project_id(conn: Connection, client: LabelStudio, title: str, *, create: bool) -> int:
    """The project's id; created with `label_config` when missing and ``create`` is set."""
    pid = find_project(conn, client, title)
    if pid is not None:
        return pid
    if not create:
        raise LabelStudioError(f"{conn.url}: no project titled {title!r}")
    project = conn.call(
        "create a project", client.projects.create, title=title, label_config=label_config()
    )
    return int(project.id)


# --- push ----------------------------------------------------------------------------


def prediction(document: Document, model_version: str) -> dict[str, Any]:
    """A Label Studio prediction of a document's spans (each with its score) and records."""
    task = task_from_records(document.text, document.spans, document.records)
    result = task_results(task)
    scores = [s.score for s in document.spans if s.score is not None]
    return {
        "model_version": model_version,
        "score": round(sum(scores) / len(scores), 4) if scores else None,
        "result": result,
    }


def task_payload(document: Document, source: str, model_version: str) -> dict[str, Any]:
    """One report as an import item: text, where it came from, its year and content hash in
    ``data.meta``, and the predictions."""
    meta = {"source": source, "year": document.doc_year, "sha256": text_sha256(document.text)}
    return {
        "data": {"text": document.text, "meta": meta},
        "predictions": [prediction(document, model_version)],
    }


@dataclass
class PushSummary:
    project: int
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the project (same content)
    failures: list[tuple[str, str]] = field(default_factory=list)


def existing_hashes(conn: Connection, client: LabelStudio, pid: int) -> set[str]:
    """Content hashes of the project's tasks: what a push must not import again."""
    tasks = conn.call(
        "list tasks",
        lambda: list(client.tasks.list(project=pid, fields="task_only", include="id,data")),
    )
    hashes = set()
    for task in tasks:
        data = task.data or {}
        meta = data.get("meta") or {}
        text = data.get("text")
        hashes.add(meta.get("sha256") or (text_sha256(text) if isinstance(text, str) else ""))
    return hashes


def push(
    conn: Connection,
    title: str,
    paths: Iterable[str],
    extractor: Extractor,
    *,
    on_document: Callable[[str], None] | None = None,
) -> PushSummary:
    """Import each report as a task with the extractor's predictions, creating the project
    if needed. Reports already there (same text) are skipped; an unreadable file is listed
    in the summary's failures and the others still go up."""
    client = conn.client()
    pid = project_id(conn, client, title, create=True)
    summary = PushSummary(project=pid)
    seen = existing_hashes(conn, client, pid)
    version = extractor.version  # reads the model's nlp.json: once, not per report
    batch: list[tuple[str, dict[str, Any]]] = []

    def send() -> None:
        conn.call("import tasks", client.projects.import_tasks, pid, request=[p for _, p in batch])
        summary.created += [source for source, _ in batch]
        batch.clear()

    from nlp.batch import read_inputs

    for source, text, year in (doc for name in paths for doc in read_inputs(name)):
        if isinstance(text, InputError):  # a bad file (or JSONL line) fails alone
            summary.failures.append((source, str(text)))
            continue
        sha = text_sha256(text)
        if sha in seen:
            summary.skipped.append(source)
            continue
        seen.add(sha)
        document = next(extractor.extract_many([(source, text, year)]))
        batch.append((source, task_payload(document, source, version)))
        if on_document is not None:
            on_document(source)
        if len(batch) >= IMPORT_BATCH:
            send()
    if batch:
        send()
    return summary


# --- pull ----------------------------------------------------------------------------


@dataclass
class PullSummary:
    tasks: list[Task] = field(default_factory=list)  # annotated and valid
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # (task, reasons)
    unannotated: int = 0


def is_annotated(item: dict[str, Any]) -> bool:
    return any(not a.get("was_cancelled") for a in item.get("annotations") or [])


def validate_export(items: Sequence[dict[str, Any]]) -> PullSummary:
    """Split a full JSON export into valid annotated tasks and rejected ones with reasons:
    Label Studio accepts unknown labels, offsets that miss the text and dangling relations."""
    summary = PullSummary()
    for item in items:
        if not is_annotated(item):
            summary.unannotated += 1
            continue
        meta = (item.get("data") or {}).get("meta") or {}
        where = f"task {item.get('id')} ({meta.get('source') or item.get('id')})"
        try:
            task = task_from_ls(item)
        except (AnnotationError, KeyError, TypeError, ValueError) as exc:
            summary.rejected.append((where, [str(exc)]))
            continue
        problems = check_task(task)
        if problems:
            summary.rejected.append((where, [p.reason for p in problems]))
        else:
            summary.tasks.append(task)
    return summary


def pull(conn: Connection, title: str) -> PullSummary:
    """The project's annotated tasks, validated (see `validate_export`)."""
    client = conn.client()
    pid = project_id(conn, client, title, create=False)
    items = conn.call("export the project", client.projects.exports.as_json, pid)
    return validate_export(items)
