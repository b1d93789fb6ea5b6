"""The local engine and the Ray engine on the same reports, in one run.

  python scripts/bench_engines.py                      # seeds + ../shared/corpus, bundled model
  python scripts/bench_engines.py --workers 2 --limit 40

Both run `nlp extract` end to end (read, tag, assemble, write) from the same file list: the
local engine in this process with all cores, the Ray engine on a local Ray instance with
``--workers`` actors of one CPU thread each. Ray's start-up (``ray.init``) is timed apart;
actor start-up and model loading count against the Ray run, as they do for a user.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def report_files(limit: int) -> list[str]:
    files = sorted((SHARED / "seeds").glob("*.txt"))
    corpus = SHARED / "corpus" / "reports"
    if corpus.is_dir():
        files += sorted(corpus.glob("*.txt"))
    return [str(f) for f in files[:limit]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=1000, help="At most this many reports.")
    parser.add_argument("--model", default=None, help="Model directory [default: bundled].")
    args = parser.parse_args()

    import ray

    from nlp.batch import run
    from nlp.extractor import Extractor
    from nlp.ray_engine import run_ray

    files = report_files(args.limit)
    chars = sum(len(Path(f).read_text(encoding="utf-8")) for f in files)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        extractor = Extractor.load(args.model)
        local = run(files, Path(tmp) / "local.jsonl", extractor)
        rows["local"] = (time.perf_counter() - start, local)

        start = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        ray_init = time.perf_counter() - start
        start = time.perf_counter()
        remote = run_ray(files, Path(tmp) / "shards", args.model, workers=args.workers)
        rows["ray"] = (time.perf_counter() - start, remote)
        ray.shutdown()

    print(f"{len(files)} reports, {chars:,} characters; ray.init {ray_init:.1f} s (not counted)")
    print("| engine | seconds | reports/s | chars/s | records |")
    print("|---|---|---|---|---|")
    for name, (seconds, summary) in rows.items():
        print(
            f"| {name} | {seconds:.1f} | {summary.documents / seconds:.2f} | "
            f"{summary.characters / seconds:,.0f} | {summary.records} |"
        )
    ratio = rows["local"][0] / rows["ray"][0]
    print(f"ray / local throughput: {ratio:.2f}x")
    print(json.dumps({k: {"seconds": v[0], "records": v[1].records} for k, v in rows.items()}))


if __name__ == "__main__":
    main()
