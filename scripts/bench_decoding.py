"""Reading tags off the model's distributions: each character's best tag (BIO repaired) vs
the best valid BIO sequence (Viterbi, `nlp.alignment.bio_viterbi`), on the same
distributions, in one run.

  python scripts/bench_decoding.py                     # seeds + ../shared/corpus, bundled model
  python scripts/bench_decoding.py --limit 20 --model build/default-full

The model runs once per report (timed apart); then both decodings read the same
distributions. Prints the time of each per report, its share of the model's time, and how
many spans the two disagree on.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_engines import report_files

from nlp.alignment import bio_viterbi, tags_to_spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1000, help="At most this many reports.")
    parser.add_argument("--model", default=None, help="Model directory [default: bundled].")
    args = parser.parse_args()

    from nlp.extractor import Extractor
    from nlp.rules import tag as rules_tag

    tagger = Extractor.load(args.model).tagger
    names = [tagger.id2label[i] for i in range(len(tagger.id2label))]
    texts = [Path(f).read_text(encoding="utf-8") for f in report_files(args.limit)]
    start = time.perf_counter()
    probs = [
        tagger.char_probs([t], [rules_tag(t)] if tagger.rule_hints else None)[0] for t in texts
    ]
    model_s = time.perf_counter() - start

    def decode(choose) -> tuple[float, list, list[set]]:
        start = time.perf_counter()
        paths, spans = [], []
        for text, p in zip(texts, probs, strict=True):
            paths.append(choose(p))
            found = tags_to_spans(text, [names[i] for i in paths[-1]])
            spans.append({(s.start, s.end, s.label) for s in found})
        return time.perf_counter() - start, paths, spans

    greedy_s, greedy_paths, greedy = decode(lambda p: p.argmax(-1))
    viterbi_s, viterbi_paths, viterbi = decode(lambda p: bio_viterbi(p, names))
    changed = sum(len(a ^ b) for a, b in zip(greedy, viterbi, strict=True))
    total = sum(len(a) for a in greedy)
    n, chars = len(texts), sum(map(len, texts))
    print(f"{n} reports, {chars:,} characters; model (char_probs) {model_s:.1f} s")
    for name, secs in (("best tag each", greedy_s), ("viterbi", viterbi_s)):
        print(
            f"{name:>13}: {secs:.2f} s, {1000 * secs / n:.1f} ms per report, "
            f"{100 * secs / model_s:.1f} % of the model's time"
        )
    print(f"viterbi / best tag each: {viterbi_s / greedy_s:.2f}x time")
    print(f"spans that differ: {changed} of {total} ({100 * changed / max(total, 1):.1f} %)")
    moved = sum(int((a != b).sum()) for a, b in zip(greedy_paths, viterbi_paths, strict=True))
    print(f"characters whose tag differs: {moved}")


if __name__ == "__main__":
    main()
