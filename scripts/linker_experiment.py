"""A learned linker against the rule assembler (the model issue, `docs/model.md`).

For each gold AMOUNT and each field (indicator, date, project), a small head scores the
candidate spans of that label around it, and "none": the tagger's own encoder gives each
character a vector (the fine-tuned weights, last layer, averaged over overlapping
windows), and the head reads the amount's and the candidate's vectors with where the
candidate stands (distance; same clause, sentence, paragraph; in a heading or the title).
It is trained on the gold relations of the train documents, scored on dev (and test,
reported only) with the gold spans in, like `nlp evaluate-assembler`:

- *rules*: the assembler as shipped;
- *linker*: the head alone picks every indicator, date and project;
- *combined*: the head with the assembler's choice as one more input.

    python scripts/linker_experiment.py --model build/v2-s42-fp32

The encoder must be a directory with PyTorch weights (fp32 safetensors).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from nlp import rules
from nlp.layout import Layout
from nlp.place import Place, within
from nlp.records import assemble
from nlp.schema import AMOUNT, DATE, INDICATOR, PROJECT, Record, Span
from nlp.tagger import Tagger
from nlp.training.annotations import Task, load_splits, load_tasks
from nlp.training.evaluate import evaluate_records

FIELDS = {"indicator": INDICATOR, "date": DATE, "project": PROJECT}
WINDOW = 600  # candidates within this many characters of the amount, besides headings/title
N_POSITION = 14


def char_states(tagger: Tagger, texts: Sequence[str], batch: int = 32) -> list[np.ndarray]:
    """Each text's per-character vectors from the tagger's encoder (last hidden layer),
    averaged where the tagger's windows overlap."""
    encoder = tagger.model.base_model.eval()
    out = []
    for d, text in enumerate(texts):
        found = rules.tag(text) if tagger.rule_hints else None
        states = np.zeros((len(text), encoder.config.hidden_size), dtype=np.float32)
        counts = np.zeros(len(text), dtype=np.float32)
        windows = tagger._doc_windows(d, text, found)  # the tagger's own windows and hints
        for i in range(0, len(windows), batch):
            part = windows[i : i + batch]
            width = max(len(w.input_ids) for w in part)
            ids = torch.zeros((len(part), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            types = torch.zeros_like(ids)
            for row, w in enumerate(part):
                ids[row, : len(w.input_ids)] = torch.tensor(w.input_ids)
                mask[row, : len(w.input_ids)] = 1
                if w.token_type_ids is not None:
                    types[row, : len(w.input_ids)] = torch.tensor(w.token_type_ids)
            with torch.no_grad():
                hidden = encoder(input_ids=ids, attention_mask=mask, token_type_ids=types)
            hidden = hidden.last_hidden_state.numpy()
            for row, w in enumerate(part):
                index = np.asarray(w.char_index)
                keep = index >= 0
                chars = w.start + index[keep]
                np.add.at(states, chars, hidden[row, : len(index)][keep])
                np.add.at(counts, chars, 1.0)
        out.append(states / np.maximum(counts, 1.0)[:, None])
    return out


def _mean(states: np.ndarray, span: Span) -> np.ndarray:
    return states[span.start : span.end].mean(axis=0)


def _position(text: str, layout: Layout, place: Place, amount: Span, cand: Span) -> list[float]:
    """Where a candidate stands relative to its amount."""
    gap = cand.start - amount.end if cand.start >= amount.end else cand.end - amount.start
    inside = lambda bounds: float(bounds[0] <= cand.start < bounds[1])  # noqa: E731
    heading = any(h[0] <= cand.start < h[1] for h in place.headings)
    between = text[min(cand.end, amount.end) : max(cand.start, amount.start)]
    return [
        math.copysign(math.log1p(abs(gap)), gap) / 7,
        float(gap < 0),
        inside(place.clause),
        inside(place.sentence),
        inside(place.full),
        inside(place.paragraph),
        float(heading),
        float(cand.end <= layout.title_end),
        min(between.count("，") + between.count(","), 10) / 10,
        min(between.count("；") + between.count(";"), 5) / 5,
        min(between.count("。"), 5) / 5,
        float("\n" in between),
        min(len(cand.text), 30) / 30,
        float(text[max(0, cand.start - 1) : cand.start] in ("比", "较")),
    ]


@dataclasses.dataclass
class Example:
    """One amount and field: its candidates' features (row 0 is "none") and the gold row."""

    amount: Span
    features: np.ndarray
    candidates: list[Span | None]
    gold: int | None  # None when the gold span is not among the candidates


def examples(task: Task, states: np.ndarray, rule_records: list[Record]) -> dict[str, list]:
    """Per field, one `Example` per AMOUNT span, its target from the gold relations."""
    layout = Layout.of(task.text)
    text = layout.flow
    states = states / (np.linalg.norm(states, axis=1, keepdims=True) + 1e-6)  # unit vectors
    spans = task.sorted_spans()
    by_label = {label: [s for s in spans if s.label == label] for label in FIELDS.values()}
    gold = {r.amount.start: r for r in task.records()}
    rule = {r.amount.start: r for r in rule_records}
    dim = states.shape[1]
    out: dict[str, list] = {f: [] for f in FIELDS}
    for amount in (s for s in spans if s.label == AMOUNT):
        place = Place.of(text, layout, amount)
        first = layout.first_sentence(place.paragraph) or place.sentence
        h_a = _mean(states, amount)
        for field, label in FIELDS.items():
            near = within(by_label[label], amount.start - WINDOW, amount.end + WINDOW)
            far = [
                s
                for s in by_label[label]
                if s.end <= layout.title_end
                or any(h[0] <= s.start < h[1] for h in [*place.headings, *place.openers, first])
            ]
            chosen = getattr(rule.get(amount.start), field, None)
            cands = sorted(set(near) | set(far) | ({chosen} if chosen else set()))
            rows = [np.concatenate([np.zeros(3 * dim), np.zeros(N_POSITION), [1.0, 0.0]])]
            rows[0][-1] = float(chosen is None)
            for c in cands:
                h_c = _mean(states, c)
                pos = _position(text, layout, place, amount, c)
                rows.append(
                    np.concatenate(
                        [h_a * h_c, h_c, np.abs(h_a - h_c), pos, [0.0, float(c == chosen)]]
                    )
                )
            want = getattr(gold.get(amount.start), field, None) if amount.start in gold else None
            target = (
                0
                if want is None
                else next(
                    (
                        i + 1
                        for i, c in enumerate(cands)
                        if (c.start, c.end) == (want.start, want.end)
                    ),
                    None,
                )
            )
            rows = np.stack(rows).astype(np.float32)
            out[field].append(Example(amount, rows, [None, *cands], target))
    return out


class Head(torch.nn.Module):
    """Scores each candidate row; softmax over an amount's rows."""

    def __init__(self, width: int, hidden: int = 64) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(width, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, 1)
        )

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        return self.net(rows).squeeze(-1)


def train_head(train: list[Example], *, rule_input: bool, epochs: int, seed: int) -> Head:
    """Cross-entropy over each amount's candidates, in padded minibatches."""
    torch.manual_seed(seed)
    usable = [e for e in train if e.gold is not None]
    head = Head(usable[0].features.shape[1])
    optim = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(usable))
        for i in range(0, len(order), 32):
            part = [usable[j] for j in order[i : i + 32]]
            rows = torch.nn.utils.rnn.pad_sequence(
                [torch.from_numpy(_rows(e, rule_input)) for e in part], batch_first=True
            )
            sizes = torch.tensor([len(e.candidates) for e in part])
            scores = head(rows).masked_fill(torch.arange(rows.shape[1]) >= sizes[:, None], -1e9)
            loss = torch.nn.functional.cross_entropy(scores, torch.tensor([e.gold for e in part]))
            optim.zero_grad()
            loss.backward()
            optim.step()
    return head


def _rows(e: Example, rule_input: bool) -> np.ndarray:
    rows = e.features.copy()
    if not rule_input:
        rows[:, -1] = 0.0
        rows[0, -2] = 1.0
    return rows


def link(head: Head, e: Example, rule_input: bool) -> Span | None:
    with torch.no_grad():
        return e.candidates[int(head(torch.from_numpy(_rows(e, rule_input))).argmax())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="build/v2-s42-fp32")
    ap.add_argument("--annotations", default="annotations")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()

    t0 = time.perf_counter()
    tasks = load_tasks(args.annotations)
    splits = load_splits(args.annotations)
    cache = Path("build") / f"linker-states-{Path(args.model).name}.npz"
    if cache.exists():  # the encoder's vectors, computed once per model
        with np.load(cache) as saved:
            states = {t.name: saved[str(k)] for k, t in enumerate(tasks)}
    else:
        tagger = Tagger.load(args.model, device="cpu", dtype="fp32")
        vectors = char_states(tagger, [t.text for t in tasks])
        np.savez(cache, **{str(k): v for k, v in enumerate(vectors)})
        states = {t.name: v for t, v in zip(tasks, vectors, strict=True)}
    rule_records = {t.name: assemble(t.text, t.sorted_spans(), doc_year=t.year) for t in tasks}
    per_doc = {t.name: examples(t, states[t.name], rule_records[t.name]) for t in tasks}
    print(f"encoder states and candidates: {time.perf_counter() - t0:.0f} s")
    train = {
        f: [e for t in tasks if splits[t.name] == "train" for e in per_doc[t.name][f]]
        for f in FIELDS
    }
    for f in FIELDS:
        covered = sum(e.gold is not None for e in train[f]) / len(train[f])
        print(f"{f}: {len(train[f])} train amounts, gold among the candidates for {covered:.3f}")

    for split in ("dev", "test"):
        scored = [t for t in tasks if splits[t.name] == split]
        base = evaluate_records(scored, {t.name: rule_records[t.name] for t in scored})
        print(f"{split} rules: all fields {base['full']['f1']:.3f}", _fields(base))
        for rule_input in (False, True):
            fulls = []
            for seed in args.seeds:
                heads = {
                    f: train_head(train[f], rule_input=rule_input, epochs=args.epochs, seed=seed)
                    for f in FIELDS
                }
                pred = {}
                for t in scored:
                    linked = {
                        (f, e.amount.start): link(heads[f], e, rule_input)
                        for f in FIELDS
                        for e in per_doc[t.name][f]
                    }
                    pred[t.name] = [
                        dataclasses.replace(r, **{f: linked[f, r.amount.start] for f in FIELDS})
                        for r in rule_records[t.name]
                    ]
                s = evaluate_records(scored, pred)
                fulls.append(s["full"]["f1"])
                name = "combined" if rule_input else "linker"
                print(f"{split} {name} seed {seed}: all fields {s['full']['f1']:.3f}", _fields(s))
            print(
                f"{split} {name}: mean {np.mean(fulls):.3f} ± {(max(fulls) - min(fulls)) / 2:.3f}"
            )
    print(f"total {time.perf_counter() - t0:.0f} s")


def _fields(scores: dict) -> str:
    return " ".join(f"{f} {scores['field_accuracy'][f]:.3f}" for f in FIELDS)


if __name__ == "__main__":
    main()
