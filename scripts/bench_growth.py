"""Cost against document length: one real report repeated to 100k, 400k and 1.6M
characters, with its line breaks and as one line, extracted with the bundled model and with
the rules, each size in a fresh process (seconds, characters/s, peak RSS).

    python scripts/bench_growth.py                 # ../shared/corpus/reports/prov2025_anhui.txt
    python scripts/bench_growth.py --sizes 100000 400000 --models rules

Linear cost means 4× the text, ~4× the time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT.parent / "shared" / "corpus" / "reports" / "prov2025_anhui.txt"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from nlp.extractor import Extractor
report, chars, one_line, model = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
text = report.read_text(encoding="utf-8")
if one_line:
    text = text.replace("\n", "")
text = (text * (chars // len(text) + 1))[:chars]
extractor = Extractor.load(None if model == "model" else model)
start = time.perf_counter()
doc = extractor.extract(text)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "records": len(doc.records), "peak_mb": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 1_600_000])
    parser.add_argument("--models", nargs="+", default=["model", "rules"])
    args = parser.parse_args()
    if not args.report.exists():
        raise SystemExit(f"{args.report}: absent (../shared/corpus is needed)")
    print(
        "| extractor | layout | characters | records | seconds | chars/s | time × vs previous size | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for model in args.models:
        for one_line in (False, True):
            previous = None
            for chars in args.sizes:
                out = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        str(args.report),
                        str(chars),
                        str(int(one_line)),
                        model,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                ratio = f"{r['seconds'] / previous:.2f}×" if previous else "—"
                previous = r["seconds"]
                layout = "one line" if one_line else "with line breaks"
                print(
                    f"| {model} | {layout} | {chars:,} | {r['records']:,} | {r['seconds']:.1f} | "
                    f"{chars / r['seconds']:,.0f} | {ratio} | {r['peak_mb']:.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
