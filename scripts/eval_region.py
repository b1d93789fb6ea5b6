"""The issuing region detected from each corpus report against the region its manifest gives.

  python scripts/eval_region.py          # ../shared/corpus/MANIFEST.tsv (skips if absent)

A detection is right when the manifest's region ends with the detected name (a province
also by its short name: 安徽 for 安徽省); reports whose manifest region is `unknown…` are
left out of the rates. Wrong detections are listed: the goal is none.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from nlp.meta import detect_region

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def main() -> None:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        sys.exit(f"{manifest}: not found (the corpus is optional)")
    counts: Counter[str] = Counter()
    levels: Counter[bool] = Counter()
    with manifest.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        gold = row["region"].split(" ")[0].replace("国家", "")
        if gold.startswith("unknown"):
            counts["unknown in the manifest"] += 1
            continue
        region = detect_region((CORPUS / "reports" / row["file"]).read_text(encoding="utf-8"))
        if region is None:
            counts["none"] += 1
            continue
        right = gold.endswith(region.name) or (
            region.level == "province" and _SUFFIX.sub("", gold) == _SUFFIX.sub("", region.name)
        )
        counts["right" if right else "wrong"] += 1
        if right:
            levels[region.level == row["level"]] += 1
        else:
            print(f"wrong: {row['file']}: {region} (manifest: {row['region']})")
    known = counts["right"] + counts["wrong"] + counts["none"]
    print(f"{len(rows)} reports, {known} with a known region: right {counts['right']} "
          f"({counts['right'] / known:.1%}), wrong {counts['wrong']}, none {counts['none']}; "
          f"level as the manifest's for {levels[True]} of {counts['right']} right")  # fmt: skip


if __name__ == "__main__":
    main()
