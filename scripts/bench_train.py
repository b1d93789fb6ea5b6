"""Training throughput, one run, several setups side by side (examples/s and tokens/s).

The same windows of the gold annotations, the same Trainer loop, a fixed number of steps:
  baseline  run_ner.py-style: fp32, eager attention, padding to the longest window
  nlp       what `nlp train` does: dynamic padding, SDPA attention, bf16 on a GPU
  compiled  nlp + torch.compile (GPU only)

CPU, compact model:      python scripts/bench_train.py --model compact --steps 30
GPU, bert-base-sized:    python scripts/bench_train.py --model bert-base --steps 200
Random weights: only speed is measured.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertForTokenClassification,
    DataCollatorForTokenClassification,
    Trainer,
    TrainingArguments,
)

from nlp.alignment import IGNORE
from nlp.schema import BIO_TAGS
from nlp.training.annotations import load_tasks
from nlp.training.data import build_dataset
from nlp.training.tokenization import char_tokenizer, char_vocabulary

SIZES = {
    "compact": {
        "hidden_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "intermediate_size": 1024,
    },
    "bert-base": {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
    },
}


class PadToMax(DataCollatorForTokenClassification):
    """run_ner.py's --pad_to_max_length: every batch padded to the window budget."""

    def __init__(self, tokenizer, max_length: int):
        super().__init__(
            tokenizer, label_pad_token_id=IGNORE, padding="max_length", max_length=max_length
        )


def bench(
    setup: str, model_size: str, dataset, tokenizer, *, steps: int, batch: int, max_tokens: int
) -> dict:
    cuda = torch.cuda.is_available()
    attn = "eager" if setup == "baseline" else "sdpa"
    config = BertConfig(
        vocab_size=len(tokenizer),
        num_labels=len(BIO_TAGS),
        max_position_embeddings=512,
        **SIZES[model_size],
    )
    config._attn_implementation = attn
    model = BertForTokenClassification(config)
    collator = (
        PadToMax(tokenizer, max_tokens)
        if setup == "baseline"
        else DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE)
    )
    args = TrainingArguments(
        output_dir="/tmp/bench_train",
        per_device_train_batch_size=batch,
        max_steps=steps,
        learning_rate=1e-4,
        logging_steps=10_000,
        save_strategy="no",
        report_to="none",
        bf16=cuda and setup != "baseline",
        torch_compile=setup == "compiled",
        use_cpu=not cuda,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator)
    start = time.perf_counter()
    metrics = trainer.train().metrics
    seconds = time.perf_counter() - start
    lengths = [len(x) for x in dataset["input_ids"]]
    tokens_per_example = max_tokens if setup == "baseline" else sum(lengths) / len(lengths)
    examples = steps * batch
    return {
        "setup": setup,
        "examples_per_s": examples / seconds,
        "tokens_per_s": examples * tokens_per_example / seconds,
        "real_tokens_per_s": examples * (sum(lengths) / len(lengths)) / seconds,
        "seconds": seconds,
        "trainer_samples_per_s": metrics.get("train_samples_per_second"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=sorted(SIZES), default="compact")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--annotations", default="annotations")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    tasks = load_tasks(args.annotations)
    tokenizer = char_tokenizer(char_vocabulary(t.text for t in tasks))
    dataset = build_dataset(tasks, tokenizer, max_tokens=args.max_tokens, dev_fraction=0)["train"]
    dataset = dataset.remove_columns(["doc", "start", "text", "char_index"])
    setups = ["baseline", "nlp"] + (["compiled"] if torch.cuda.is_available() else [])
    device = (
        torch.cuda.get_device_name()
        if torch.cuda.is_available()
        else f"CPU ({torch.get_num_threads()} threads)"
    )
    rows = [
        bench(
            s,
            args.model,
            dataset,
            tokenizer,
            steps=args.steps,
            batch=args.batch,
            max_tokens=args.max_tokens,
        )
        for s in setups
    ]
    base = rows[0]["real_tokens_per_s"]
    print(
        f"device: {device}; model: {args.model}; {args.steps} steps of {args.batch} windows (budget {args.max_tokens})"
    )
    print("| setup | examples/s | tokens/s (incl. padding) | real tokens/s | × baseline |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['setup']} | {r['examples_per_s']:.1f} | {r['tokens_per_s']:,.0f} | "
            f"{r['real_tokens_per_s']:,.0f} | {r['real_tokens_per_s'] / base:.2f} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"device": device, "model": args.model, "rows": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
