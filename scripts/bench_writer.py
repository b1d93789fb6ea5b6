"""Peak memory of writing record lines as Parquet: `RecordWriter` (rows staged per document,
converted in row groups) against building one table of every row (the writer before it),
for 1× and 20× the records, each in a fresh process.

    python scripts/bench_writer.py            # 1× = the records of the gold reports' spans
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from nlp.records import assemble
from nlp.training.annotations import load_tasks
copies, how, out = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
tasks = load_tasks("annotations")
rows = [[r.to_dict(t.name) for r in assemble(t.text, t.sorted_spans(), doc_year=t.year)] for t in tasks]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
n = 0
if how == "streamed":
    from nlp.write import RecordWriter
    with RecordWriter(out, "parquet") as w:
        for _ in range(copies):
            for doc in rows:
                w.write(doc)
                n += len(doc)
else:
    import pyarrow as pa, pyarrow.parquet as pq
    from nlp.write import _parquet_schema, flat_record
    every = [flat_record(r) for _ in range(copies) for doc in rows for r in doc]
    n = len(every)
    pq.write_table(pa.Table.from_pylist(every, schema=_parquet_schema()), out)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": n, "seconds": time.perf_counter() - start, "base_mb": base / 1024, "peak_mb": peak / 1024}))
"""


def run(copies: int, how: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(copies), how, f"{tmp}/r.parquet"],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print("| records | writer | peak RSS | above the records in memory | seconds |")
    print("|---|---|---|---|---|")
    for copies in (1, 20, 60):
        for how in ("streamed", "one table"):
            r = run(copies, how)
            print(
                f"| {r['rows']:,} | {how} | {r['peak_mb']:.0f} MB | {r['peak_mb'] - r['base_mb']:.0f} MB | {r['seconds']:.2f} |"
            )
            time.sleep(0.1)


if __name__ == "__main__":
    main()
