"""The issuing region and the kind of document detected from each corpus report, against the
region and document type its manifest gives.

  python scripts/eval_region.py          # ../shared/corpus/MANIFEST.tsv (skips if absent)

A detection is right when the manifest's region ends with the detected name (a province
also by its short name: 安徽 for 安徽省); reports whose manifest region is `unknown…` are
left out of the rates. Wrong detections are listed: the goal is none. The manifest's free-text
document type (a description such as `县财政局 预算执行情况报告`, not the report's title) is
read into `nlp.meta.DOC_TYPES` with the same words; news reports are left out.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from nlp.meta import DOC_TYPE_WORDS, detect_doc_type, detect_region

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def manifest_kind(doctype: str) -> str | None:
    if doctype.startswith(("新闻", "统计/新闻")) and "政府工作报告" not in doctype:
        return None
    return next((kind for kind, words in DOC_TYPE_WORDS if words.search(doctype)), "other")


def main() -> None:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        sys.exit(f"{manifest}: not found (the corpus is optional)")
    counts: Counter[str] = Counter()
    levels: Counter[bool] = Counter()
    with manifest.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    kinds: Counter[str] = Counter()
    for row in rows:
        text = (CORPUS / "reports" / row["file"]).read_text(encoding="utf-8")
        expected = manifest_kind(row["doctype"])
        if expected is not None:
            found = detect_doc_type(text)
            kinds["none" if found is None else "right" if found == expected else "wrong"] += 1
            if found is not None and found != expected:
                print(f"doc type wrong: {row['file']}: {found} (manifest: {row['doctype']})")
        gold = row["region"].split(" ")[0].replace("国家", "")
        if gold.startswith("unknown"):
            counts["unknown in the manifest"] += 1
            continue
        region = detect_region(text)
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
    print(f"document type, {sum(kinds.values())} reports with one: right {kinds['right']}, "
          f"wrong {kinds['wrong']}, none {kinds['none']}")  # fmt: skip


if __name__ == "__main__":
    main()
