"""A copy of the unlabelled corpus without the reports that annotations/splits.json puts in
the given splits (default: dev and test), for a masked-LM step that never reads them.

  python scripts/corpus_without_splits.py /tmp/corpus-train
  nlp pretrain build/e5-zh --texts /tmp/corpus-train -o build/e5-zh-mlm-train ...

Report files are linked, not copied; the national JSONL is rewritten without the lines whose
year names a held-out document (`national_government_work_reports.jsonl#2022`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.training.annotations import load_splits

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write (must not exist)")
    parser.add_argument("--leave-out", nargs="+", default=["dev", "test"], metavar="SPLIT")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS}: not found (the corpus is optional)")
    held = {
        doc for doc, split in load_splits(ROOT / "annotations").items() if split in args.leave_out
    }
    (args.out / "reports").mkdir(parents=True)
    kept = 0
    for path in sorted((CORPUS / "reports").glob("*.txt")):
        if path.name not in held:
            (args.out / "reports" / path.name).symlink_to(path)
            kept += 1
    lines = []
    for jsonl in sorted(CORPUS.glob("*.jsonl")):
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            year = json.loads(line).get("year") if line.strip() else None
            if line.strip() and f"{jsonl.name}#{year}" not in held:
                lines.append(line)
        (args.out / jsonl.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines = []
    print(f"{kept} report files linked into {args.out}; left out: {len(held)} documents")


if __name__ == "__main__":
    main()
