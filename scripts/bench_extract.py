"""Inference speed and memory, measured side by side in one run.

  python scripts/bench_extract.py --model runs/compact            # CPU: engine vs pipeline
  python scripts/bench_extract.py --model runs/compact --rss      # + peak RSS, 1 vs 50 copies
  python scripts/bench_extract.py --gpu-bert-base                 # lent GPU: bf16 bert-base

nlp's `Extractor` end to end (records; only the fact regions tagged, the default, or every
sentence), its engine alone (`Tagger.predict` on whole documents: sentence windows, sorted
batches, dynamic padding, batches in flight while the next document is encoded) as ONNX
Runtime int8 (so, and one window per run) and PyTorch fp32,
against transformers' `pipeline("token-classification", aggregation_strategy="simple")`
over the same sentences at batch 1 and 32: the same weights (a model directory holding
both model.safetensors and model.int8.onnx), on the seed reports plus ../shared/corpus
where present. Each runs in its own process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def documents(limit_chars: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    corpus = SHARED / "corpus" / "reports"
    if corpus.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    out, total = [], 0
    for t in texts:
        if total >= limit_chars:
            break
        out.append(t)
        total += len(t)
    return out


def engine(
    model: str,
    texts: list[str],
    threads: int,
    dtype: str = "auto",
    batch_size: int | None = None,
) -> dict:
    """`Tagger.predict` on whole documents, every sentence: tagging alone."""
    import torch

    from nlp.runners import ONNX_FILE, OnnxRunner
    from nlp.tagger import Tagger

    torch.set_num_threads(threads)
    tagger = Tagger.load(model, device="cpu", dtype=dtype, batch_size=batch_size, threads=threads)
    if batch_size == 1 and isinstance(tagger.runner, OnnxRunner):
        # the engine before batching: one window per run, on all threads inside the run
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        path = str(Path(model) / ONNX_FILE)
        tagger.runner.session = ort.InferenceSession(
            path, options, providers=["CPUExecutionProvider"]
        )
    tagger.predict(texts[:1])  # warm-up
    start = time.perf_counter()
    spans = tagger.predict(texts)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "spans": sum(len(s) for s in spans)}


def extractor(model: str, texts: list[str], threads: int, all_spans: bool = False) -> dict:
    """`Extractor.extract_many` end to end (layout, tagging, records), ONNX Runtime int8."""
    from nlp.extractor import Extractor

    ex = Extractor.load(model, device="cpu", threads=threads, all_spans=all_spans)
    list(ex.extract_many(texts[:1]))  # warm-up
    start = time.perf_counter()
    docs = list(ex.extract_many(texts))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "spans": sum(len(d.spans) for d in docs),
        "records": sum(len(d.records) for d in docs),
    }


def pipeline_baseline(model: str, texts: list[str], threads: int, batch_size: int = 1) -> dict:
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    from nlp.text import sentences

    torch.set_num_threads(threads)
    tok = AutoTokenizer.from_pretrained(model)
    mdl = AutoModelForTokenClassification.from_pretrained(model)
    tagger = pipeline(
        "token-classification",
        model=mdl,
        tokenizer=tok,
        aggregation_strategy="simple",
        device="cpu",
    )
    pieces = [t[s:e] for t in texts for s, e in sentences(t)]
    tagger(pieces[:4])
    start = time.perf_counter()
    results = tagger(pieces, batch_size=batch_size)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "spans": sum(len(r) for r in results)}


# (label, function, keyword arguments): one process each, the same weights and text
RUNS = (
    ("(a) nlp Extractor, records, fact regions tagged (the default)", "extractor", {}),
    ("(a0) nlp Extractor, records, every sentence tagged", "extractor", {"all_spans": True}),
    ("(a1) nlp tagger, ONNX Runtime int8, every sentence, batched", "engine", {}),
    (
        "(a2) nlp tagger, ONNX Runtime int8, one window per run (before)",
        "engine",
        {"batch_size": 1},
    ),
    ("(b) nlp tagger, PyTorch fp32, every sentence", "engine", {"dtype": "fp32"}),
    ("(c) transformers pipeline, fp32, batch 1 (its default)", "pipeline_baseline", {}),
    ("(d) transformers pipeline, fp32, batch 32", "pipeline_baseline", {"batch_size": 32}),
)


def _child(which: str, model: str, limit: int, threads: int, kwargs: dict) -> dict:
    code = (
        f"import json,resource,sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from scripts.bench_extract import *; "
        f"r = {which}({model!r}, documents({limit}), {threads}, **{kwargs!r}); "
        "r['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss_of_extract(model: str, copies: int) -> float:
    """Peak RSS (MB) of one `nlp extract` process over ``copies`` copies of the seed reports."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for k in range(copies):
            for p in sorted((SHARED / "seeds").glob("*.txt")):
                (folder / f"{k:03d}_{p.name}").write_bytes(p.read_bytes())
        code = (
            "import resource, sys; from nlp.cli import app\n"
            "try:\n    app(sys.argv[1:], standalone_mode=False)\nfinally:\n"
            "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        args = ["extract", str(folder), "-o", str(Path(tmp) / "r.jsonl"), "--model", model]
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return int(out.stdout.strip().splitlines()[-1]) / 1024


SMALL = "2020年,地区生产总值完成990亿元,同比增长0.2%。"


def cold_start(model: str) -> dict[str, float]:
    """Wall seconds from a fresh interpreter: (api) import, load, one short document through
    `Extractor.extract`; (cli) `nlp extract` of one small file."""
    code = f"from nlp import Extractor; Extractor.load({model!r}).extract({SMALL!r})"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
    api = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "one.txt"
        small.write_text(SMALL, encoding="utf-8")
        args = ["extract", str(small), "-o", str(Path(tmp) / "r.jsonl"), "--model", model]
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nlp", *args], check=True, capture_output=True, cwd=ROOT
        )
        return {"api_s": api, "cli_s": time.perf_counter() - start}


def gpu_bert_base(lengths: tuple[int, ...] = (128, 256, 512), batch: int = 64) -> list[dict]:
    """bf16 bert-base-sized token classifier on the GPU: sequences/s and the share of peak."""
    import torch
    from transformers import BertConfig, BertForTokenClassification

    config = BertConfig(vocab_size=21128, num_labels=11)
    config._attn_implementation = "sdpa"
    model = BertForTokenClassification(config).cuda().to(torch.bfloat16).eval()
    params = (
        sum(p.numel() for p in model.parameters() if p.dim() == 2)
        - config.vocab_size * config.hidden_size
    )
    peak = 989e12  # H100 SXM dense bf16 FLOP/s (H200: same tensor cores)
    rows = []
    for n in lengths:
        ids = torch.randint(1000, 20000, (batch, n), device="cuda")
        with torch.inference_mode():
            for _ in range(5):
                model(input_ids=ids)
            torch.cuda.synchronize()
            start = time.perf_counter()
            reps = 50
            for _ in range(reps):
                model(input_ids=ids)
            torch.cuda.synchronize()
        seconds = (time.perf_counter() - start) / reps
        # 2·params FLOPs per token for the matmuls, plus attention 4·n·hidden per token per layer
        flops = batch * n * (2 * params + 4 * n * config.hidden_size * config.num_hidden_layers)
        rows.append({"length": n, "batch": batch, "sequences_per_s": batch / seconds,
                     "tokens_per_s": batch * n / seconds, "share_of_peak": flops / seconds / peak})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="model directory (the compact model)")
    parser.add_argument("--chars", type=int, default=200_000, help="characters of input")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rss", action="store_true", help="also peak RSS for 1 vs 50 copies and cold start"
    )
    parser.add_argument("--gpu-bert-base", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {}
    if args.gpu_bert_base:
        import torch

        report["gpu"] = {"device": torch.cuda.get_device_name(), "rows": gpu_bert_base()}
        print(f"GPU: {report['gpu']['device']}, bert-base-sized, bf16, SDPA, batch 64")
        print("| length | sequences/s | tokens/s | share of bf16 peak |\n|---|---|---|---|")
        for r in report["gpu"]["rows"]:
            print(
                f"| {r['length']} | {r['sequences_per_s']:,.0f} | {r['tokens_per_s']:,.0f} | {r['share_of_peak']:.1%} |"
            )
    if args.model:
        chars = sum(len(t) for t in documents(args.chars))
        runs = {
            label: _child(fn, args.model, args.chars, args.threads, kwargs)
            for label, fn, kwargs in RUNS
        }
        seconds = [r["seconds"] for r in runs.values()]
        pipeline_s = seconds[5]
        report["cpu"] = {
            "characters": chars,
            "runs": runs,
            "int8_over_fp32": seconds[4] / seconds[2],
        }
        print(f"CPU, {args.threads} threads, {chars:,} characters, model {args.model}")
        print("| engine | chars/s | ratio to (c) | peak RSS MB | spans | records |")
        print("|---|---|---|---|---|---|")
        for label, r in runs.items():
            print(
                f"| {label} | {chars / r['seconds']:,.0f} | {pipeline_s / r['seconds']:.2f}× "
                f"| {r['peak_rss_mb']:.0f} | {r['spans']} | {r.get('records', '')} |"
            )
        print(f"int8 (a1) over fp32 (b): {report['cpu']['int8_over_fp32']:.2f}×")
    if args.model and args.rss:
        one, fifty = rss_of_extract(args.model, 1), rss_of_extract(args.model, 50)
        report["rss"] = {"copies_1_mb": one, "copies_50_mb": fifty, "growth": fifty / one - 1}
        report["cold_start"] = cold = min(
            (cold_start(args.model) for _ in range(3)), key=lambda c: c["cli_s"]
        )
        print(
            f"peak RSS of nlp extract: 1 copy {one:.0f} MB, 50 copies {fifty:.0f} MB ({fifty / one - 1:+.1%})"
        )
        print(
            f"cold start (best of 3): import + load + one short document {cold['api_s']:.2f} s; "
            f"nlp extract of one small file {cold['cli_s']:.2f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
