"""`nlp extract --engine ray`: the batch job on a Ray cluster (the ``ray`` extra).

Ray Data reads the inputs in tasks, an actor pool tags and assembles them (one model load
per actor; each actor takes documents in batches of similar size), and each batch is
written by its actor as one shard ``OUT/part-<hash>.jsonl`` or ``.parquet`` holding the same
record lines as the local engine. The driver appends one manifest line per document to
``OUT.manifest.jsonl`` as results arrive, with the shard that holds its records, so the
failure report and ``--resume`` work as in the local engine: a resumed run keeps the rows of
documents finished with unchanged content and redoes the rest, dropping rows a crash left.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nlp.batch import Input, Summary, extract_group, manifest_path, read_manifest, still_current
from nlp.errors import InputError, UsageError
from nlp.io import iter_inputs, read_document, text_sha256
from nlp.write import write_records

SHARD_FORMATS = ("jsonl", "parquet")
DOCS_PER_BATCH = 16


def _read(row: dict[str, Any]) -> dict[str, Any]:
    """One input path → its text and hash, or the reason it cannot be read."""
    try:
        text = read_document(row["doc"])
    except InputError as exc:
        return {"doc": row["doc"], "text": "", "sha256": "", "error": str(exc)}
    return {"doc": row["doc"], "text": text, "sha256": text_sha256(text), "error": ""}


class _ExtractActor:
    """Loads the model once; each call extracts a batch of documents, writes their records
    as one shard, and returns one manifest row per document."""

    def __init__(self, model: str | None, out: str, fmt: str, options: dict[str, Any]) -> None:
        from nlp.extractor import Extractor

        self.doc_year = options.pop("doc_year")
        self.extractor = Extractor.load(model, **options)
        self.out, self.fmt = Path(out), fmt

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        manifest: dict[str, list[Any]] = {k: [] for k in ("doc", "sha256", "rows", "error")}
        manifest |= {"shard": [], "chars": []}

        def add(doc: str, sha: str | None, rows: int, error: str | None, chars: int) -> None:
            for key, value in zip(manifest, (doc, sha, rows, error, None, chars), strict=True):
                manifest[key].append(value)

        pending = []
        for doc, text, sha, error in zip(
            batch["doc"], batch["text"], batch["sha256"], batch["error"], strict=True
        ):
            if error:
                add(str(doc), None, 0, str(error), 0)
            else:
                pending.append(Input(str(doc), str(text), str(sha)))
        records: list[dict[str, Any]] = []
        first_done = len(manifest["doc"])
        for item, document, reason in extract_group(self.extractor, pending, self.doc_year):
            if document is None:
                add(item.doc, item.sha256, 0, reason, 0)
                continue
            rows = document.record_rows()
            records += rows
            add(item.doc, item.sha256, len(rows), None, len(item.text))
        if records:
            shard = self._write_shard(records, [p.sha256 for p in pending])
            for i in range(first_done, len(manifest["doc"])):
                if manifest["error"][i] is None:
                    manifest["shard"][i] = shard
        return manifest

    def _write_shard(self, rows: list[dict[str, Any]], shas: list[str]) -> str:
        """A shard is whole or absent (`write_records` stages it, then renames)."""
        name = "part-" + hashlib.sha256("".join(shas).encode()).hexdigest()[:20] + f".{self.fmt}"
        write_records(rows, self.out / name, fmt=self.fmt)
        return name


def _shard_rows(path: Path) -> Any:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _prune_shards(out: Path, keep: dict[str, dict[str, Any]]) -> None:
    """Keep in each shard only the rows of documents that ``keep`` says it holds: rows of
    documents to redo, and whole shards a crash left unlisted, go."""
    for tmp in [*out.glob(".part-*.tmp"), *out.glob("part-*.partial*")]:
        tmp.unlink()
    by_shard: dict[str, set[str]] = {}
    for doc, row in keep.items():  # one pass: a million documents over thousands of shards
        by_shard.setdefault(row.get("shard") or "", set()).add(doc)
    for shard in sorted(out.glob("part-*")):
        docs = by_shard.get(shard.name, set())
        if not docs:  # nothing to keep (always so without --resume): no need to read it
            shard.unlink()
            continue
        rows = _shard_rows(shard)
        if shard.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.compute as pc
            import pyarrow.parquet as pq

            kept = rows.filter(pc.is_in(rows["doc"], value_set=pa.array(sorted(docs), pa.string())))
            if kept.num_rows == 0:
                shard.unlink()
            elif kept.num_rows < rows.num_rows:
                pq.write_table(kept, shard)
            continue
        kept_rows = [r for r in rows if r.get("doc") in docs]
        if not kept_rows:
            shard.unlink()
        elif len(kept_rows) < len(rows):
            write_records(kept_rows, shard, fmt="jsonl")


def _connect(ray: Any, address: str | None, *, verbose: bool) -> None:
    """Join the cluster at ``address`` (``auto``: the running one) or start a local one;
    Ray's own log lines stay in its session logs unless ``verbose``."""
    import logging

    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=verbose,
            logging_level=logging.INFO if verbose else logging.ERROR,
        )
    except ConnectionError as exc:
        raise UsageError(
            f"--address {address}: no Ray cluster there",
            fix="start one with `ray start --head` (then --address auto), or leave --address "
            "out to run on a local one",
        ) from exc


def run_ray(
    paths: Iterable[str],
    out: Path,
    model: str | None = None,
    *,
    fmt: str = "jsonl",
    glob: str = "*",
    doc_year: int | None = None,
    resume: bool = False,
    address: str | None = None,
    workers: int | None = None,
    num_gpus_per_worker: float = 0,
    threads_per_worker: int = 1,
    batch_size: int | None = None,
    dtype: str = "auto",
    docs_per_batch: int = DOCS_PER_BATCH,
    on_document: Callable[[str, int], None] | None = None,
    verbose: bool = False,
) -> Summary:
    """Extract records from every input into the shard directory ``out`` on a Ray cluster
    (``address``: ``auto`` for a running one; none starts a local one). ``workers`` actors
    each hold one model (default: one per GPU when ``num_gpus_per_worker`` is set, else
    one per ``threads_per_worker`` CPUs)."""
    import ray

    if fmt not in SHARD_FORMATS:
        raise UsageError(f"the ray engine writes {' or '.join(SHARD_FORMATS)} shards, not {fmt!r}")
    names = list(iter_inputs(paths, glob=glob))
    if "-" in names:
        raise UsageError("the ray engine reads files, not standard input")
    out.mkdir(parents=True, exist_ok=True)
    done = still_current(read_manifest(out)) if resume else {}
    if not ray.is_initialized():
        _connect(ray, address, verbose=verbose)
    if not resume:
        manifest_path(out).unlink(missing_ok=True)
    _prune_shards(out, done)  # without --resume: every old shard goes
    manifest_file = manifest_path(out).open("a" if resume else "w", encoding="utf-8")

    summary = Summary(skipped=sum(1 for n in names if n in done))
    todo = [n for n in names if n not in done]
    # similar sizes in one batch: windows of similar length, actors busy for similar times
    todo.sort(key=lambda n: os.path.getsize(n) if os.path.isfile(n) else 0)
    if workers is None:
        resources = ray.cluster_resources()
        if num_gpus_per_worker:
            workers = max(1, int(resources.get("GPU", 0) // num_gpus_per_worker))
        else:
            workers = max(1, int(resources.get("CPU", 1) // threads_per_worker))
    try:
        if todo:
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False  # the CLI draws its own
            options = {
                "device": "cuda" if num_gpus_per_worker else "cpu",
                "dtype": dtype,
                "batch_size": batch_size,
                "threads": threads_per_worker,
                "doc_year": doc_year,
            }
            items = [{"doc": n} for n in todo]
            per_batch = max(1, min(docs_per_batch, len(todo) // workers))  # every actor busy
            dataset = (
                ray.data.from_items(items, override_num_blocks=min(len(todo), 64 * workers))
                .map(_read)
                .map_batches(
                    _ExtractActor,
                    fn_constructor_kwargs={
                        "model": model,
                        "out": str(out),
                        "fmt": fmt,
                        "options": options,
                    },
                    batch_size=per_batch,
                    compute=ray.data.ActorPoolStrategy(size=workers),
                    num_cpus=threads_per_worker,
                    num_gpus=num_gpus_per_worker or None,
                    batch_format="numpy",
                )
            )
            for row in dataset.iter_rows():
                line = {k: row[k] for k in ("doc", "sha256", "rows", "error", "shard")}
                line["rows"] = int(line["rows"])
                manifest_file.write(json.dumps(line, ensure_ascii=False) + "\n")
                manifest_file.flush()
                if line["error"] is not None:
                    summary.failures.append((line["doc"], line["error"]))
                    continue
                summary.documents += 1
                summary.records += line["rows"]
                summary.characters += int(row["chars"])
                if on_document is not None:
                    on_document(line["doc"], int(row["chars"]))
    finally:
        manifest_file.close()
    return summary
