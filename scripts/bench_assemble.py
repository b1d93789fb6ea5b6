"""Time the post-processor on the gold spans of all annotated reports (no model involved).

    python scripts/bench_assemble.py            # best of 5 runs, all reports together

Also prints how many values and periods were resolved (not null), and the cases left null.
"""

from __future__ import annotations

import time
from collections import Counter

from nlp.records import assemble
from nlp.training.annotations import load_tasks


def main() -> None:
    tasks = load_tasks("annotations")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        records = [r for t in tasks for r in assemble(t.text, t.sorted_spans(), doc_year=t.year)]
        times.append(time.perf_counter() - start)
    chars = sum(len(t.text) for t in tasks)
    print(
        f"{len(tasks)} reports, {chars:,} characters, {len(records)} records: best {min(times) * 1000:.0f} ms, median {sorted(times)[2] * 1000:.0f} ms"
    )
    valued = sum(r.value is not None or r.value_low is not None for r in records)
    dated = [r for r in records if r.date is not None]
    periods = sum(r.period_start is not None or r.period_end is not None for r in dated)
    print(f"values resolved: {valued}/{len(records)} ({valued / len(records):.1%})")
    print(
        f"periods resolved: {periods}/{len(dated)} records with a date ({periods / len(dated):.1%})"
    )
    print(
        "amounts left without a value:",
        Counter(
            r.amount.text for r in records if r.value is None and r.value_low is None
        ).most_common(),
    )
    print(
        "dates left without a period:",
        Counter(
            r.date.text for r in dated if r.period_start is None and r.period_end is None
        ).most_common(),
    )


if __name__ == "__main__":
    main()
