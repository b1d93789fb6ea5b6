"""Time the post-processor on the gold spans of all annotated reports (no model involved).

    python scripts/bench_assemble.py            # best of 5 runs, all reports together
    python scripts/bench_assemble.py --growth   # one document of 100k and of 1M characters

Also prints how many values and periods were resolved (not null), and the cases left null.
With --growth: the gold reports (text and spans) joined into one document and repeated to
100,000 and 1,000,000 characters, with their line breaks and with every line break made a
space (one line), and the time to assemble each: linear cost means 10× the text, ~10× the time.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from nlp.records import assemble
from nlp.schema import Span
from nlp.training.annotations import load_tasks


def one_document(tasks: list, chars: int, *, one_line: bool) -> tuple[str, list[Span]]:
    """The reports joined (a blank line between) and repeated until ``chars`` long."""
    pieces: list[str] = []
    spans: list[Span] = []
    size = 0
    while size < chars:
        for t in tasks:
            text = t.text.replace("\n", " ") if one_line else t.text
            spans += [Span(s.start + size, s.end + size, s.label, s.text) for s in t.sorted_spans()]
            pieces.append(text + ("  " if one_line else "\n\n"))
            size += len(text) + 2
            if size >= chars:
                break
    return "".join(pieces), spans


def growth(tasks: list) -> None:
    print("| layout | characters | amounts | seconds | chars/s | time ratio to 100k |")
    print("|---|---|---|---|---|---|")
    for one_line in (False, True):
        base = None
        for chars in (100_000, 1_000_000):
            text, spans = one_document(tasks, chars, one_line=one_line)
            start = time.perf_counter()
            records = assemble(text, spans, doc_year=2020)
            seconds = time.perf_counter() - start
            base = base or seconds
            kind = "one line" if one_line else "with line breaks"
            print(
                f"| {kind} | {len(text):,} | {len(records):,} | {seconds:.2f} | "
                f"{len(text) / seconds:,.0f} | {seconds / base:.1f}× |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--growth", action="store_true", help="100k vs 1M characters")
    if parser.parse_args().growth:
        growth(load_tasks("annotations"))
        return
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
