"""Characters ⇄ tokens ⇄ BIO tags: the one place where offsets meet a tokenizer.

Every character of a window is fed to the tokenizer as its own word
(``is_split_into_words``), so every span boundary is representable whatever the tokenizer
would merge (bert-base-chinese joins ``2019``, ``20g``+``##w``, ``5kg`` into single pieces).
A character that yields no token (space, ``\\u3000``, zero-width, BOM) is replaced by the
unknown token, so each character keeps exactly one labelled position: the first token of
its word. Conversions are exact both ways; the tests prove it on all gold data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.schema import TAG2ID, Span
from nlp.text import Regions, Stretches, sentences

IGNORE = -100  # the label id loss functions skip


def char_tags(length: int, spans: Sequence[Span], *, offset: int = 0) -> list[str]:
    """BIO tag per character of ``text[offset:offset+length]``.

    >>> char_tags(5, [Span(1, 3, "AMOUNT", "99")])
    ['O', 'B-AMOUNT', 'I-AMOUNT', 'O', 'O']
    """
    tags = ["O"] * length
    for span in spans:
        s, e = max(span.start - offset, 0), min(span.end - offset, length)
        if s >= e:
            continue
        # a span cut by the window's left edge starts with I-: it continues from before
        tags[s] = ("B-" if span.start - offset >= 0 else "I-") + span.label
        for i in range(s + 1, e):
            tags[i] = "I-" + span.label
    return tags


def tags_to_spans(
    text: str, tags: Sequence[str], *, offset: int = 0, scores: Sequence[float] | None = None
) -> list[Span]:
    """Spans from BIO tags over ``text`` (a window starting at document offset ``offset``);
    an ``I-`` with no matching ``B-`` opens a span (BIO repair). A span's score is the mean
    of its characters' scores.

    >>> spans = tags_to_spans("增长990亿", ["O", "O", "B-AMOUNT", "I-AMOUNT", "I-AMOUNT", "I-UNIT"])
    >>> [(s.start, s.end, s.label) for s in spans]
    [(2, 5, 'AMOUNT'), (5, 6, 'UNIT')]
    """
    spans: list[Span] = []
    start, label = -1, ""

    def close(end: int) -> None:
        if start >= 0:
            score = None
            if scores is not None:
                score = float(sum(scores[start:end]) / (end - start))
            spans.append(Span(offset + start, offset + end, label, text[start:end], score))

    for i, tag in enumerate(tags):
        prefix, _, tag_label = tag.partition("-")
        if prefix == "I" and start >= 0 and tag_label == label:
            continue
        close(i)
        start, label = (i, tag_label) if prefix in ("B", "I") else (-1, "")
    close(len(tags))
    return spans


SURE_OUTSIDE = 0.99  # a character this sure to be O ends every span: the search stops there


def bio_viterbi(probs: np.ndarray, tags: Sequence[str]) -> np.ndarray:
    """The most probable tag sequence in which every ``I-X`` follows ``B-X`` or ``I-X``:
    tag ids, one per row of ``probs`` (characters × tags, each row a distribution).

    Taking each character's best tag alone breaks spans apart where one character is
    unsure (``1948年`` read as ``B O I I I``: the spans ``1`` and ``48年``); the
    constrained path decides the whole span at once. The search runs only over the
    stretches between characters at least ``SURE_OUTSIDE`` sure to be O that hold an
    invalid transition; elsewhere each character's best tag already is the answer. On the
    gold reports this equals the search over whole documents, at 1/8-1/20 of its time.

    >>> tags = ["O", "B-DATE", "I-DATE"]
    >>> p = np.array([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5], [0.4, 0.0, 0.6]])
    >>> bio_viterbi(p, tags).tolist()  # per character: B-DATE, O, I-DATE (invalid BIO)
    [1, 2, 2]
    """
    best = probs.argmax(-1)
    inside = np.array([t.startswith("I-") for t in tags])
    # allowed[i, j]: tag j may follow tag i
    allowed = np.array(
        [[not b.startswith("I-") or (a != "O" and a[2:] == b[2:]) for b in tags] for a in tags]
    )
    follows = np.concatenate([[False], allowed[best[:-1], best[1:]]])
    invalid = np.nonzero(inside[best] & ~follows)[0]
    if not len(invalid):
        return best
    (stops,) = np.nonzero(probs[:, tags.index("O")] >= SURE_OUTSIDE)
    out = best.copy()
    for k in np.unique(np.searchsorted(stops, invalid)):
        start = stops[k - 1] + 1 if k > 0 else 0
        end = stops[k] if k < len(stops) else len(best)
        out[start:end] = _best_path(probs[start:end], allowed, inside)
    return out


def _best_path(probs: np.ndarray, allowed: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Viterbi over one stretch that follows an O (or the start): no ``I-`` first."""
    n, k = probs.shape
    logp = np.log(np.clip(probs, 1e-12, 1.0))
    forbid = np.where(allowed, 0.0, -np.inf)
    back = np.zeros((n, k), dtype=np.int64)
    score = logp[0] + np.where(inside, -np.inf, 0.0)
    for t in range(1, n):
        candidates = score[:, None] + forbid  # previous tag × next tag
        back[t] = candidates.argmax(0)
        score = candidates.max(0) + logp[t]
    path = np.empty(n, dtype=np.int64)
    path[-1] = score.argmax()
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


# --- windows -------------------------------------------------------------------------


def _units(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Sentences, glued together where a span crosses the boundary between them."""
    units: list[tuple[int, int]] = []
    for s, e in sentences(text):
        if units and any(sp.start < units[-1][1] and sp.end > s for sp in spans):
            units[-1] = (units[-1][0], e)
        else:
            units.append((s, e))
    return units


def windows(
    text: str,
    *,
    budget: int,
    stride: int,
    cost: Sequence[int] | None = None,
    spans: Sequence[Span] = (),
    within: Regions | None = None,
) -> list[tuple[int, int]]:
    """Windows of whole sentences whose token cost stays within ``budget``.

    ``cost[i]`` is the number of tokens character ``i`` takes (1 when not given). A sentence
    longer than the budget is cut into windows that overlap by ``stride`` tokens, with cuts
    moved off any span in ``spans`` where possible. Whitespace between sentences is skipped;
    with ``within`` (sorted, disjoint ranges), so is every sentence that overlaps none of
    them, and no window reaches across one.
    """
    if budget < 1:
        raise ValueError(f"window budget must be positive, got {budget}")
    stride = max(0, min(stride, budget - 1))
    cost = cost if cost is not None else [1] * len(text)
    keep = Stretches(within) if within is not None else None
    out: list[tuple[int, int]] = []
    cur_s, cur_e, cur_cost = -1, -1, 0
    for s, e in _units(text, spans):
        if keep is not None and keep.free(s, e):
            if cur_s >= 0:
                out.append((cur_s, cur_e))
                cur_s = -1
            continue
        unit_cost = sum(cost[s:e])
        joined = cur_cost + sum(cost[cur_e:s]) + unit_cost
        if cur_s >= 0 and joined <= budget:
            cur_e, cur_cost = e, joined
            continue
        if cur_s >= 0:
            out.append((cur_s, cur_e))
            cur_s = -1
        if unit_cost <= budget:
            cur_s, cur_e, cur_cost = s, e, unit_cost
        else:
            out += _slide(s, e, budget=budget, stride=stride, cost=cost, spans=spans)
    if cur_s >= 0:
        out.append((cur_s, cur_e))
    return out


def _slide(
    s: int, e: int, *, budget: int, stride: int, cost: Sequence[int], spans: Sequence[Span]
) -> list[tuple[int, int]]:
    out = []
    start = s
    while True:
        end, used = start, 0
        while end < e and used + cost[end] <= budget:
            used += cost[end]
            end += 1
        end = max(end, start + 1)
        if end < e:
            inside = [sp for sp in spans if sp.start < end < sp.end and sp.start > start]
            if inside:
                end = min(sp.start for sp in inside)
        out.append((start, end))
        if end >= e:
            return out
        back, nxt = 0, end
        while nxt > start + 1 and back + cost[nxt - 1] <= stride:
            back += cost[nxt - 1]
            nxt -= 1
        cut = [sp.start for sp in spans if sp.start < nxt < sp.end and sp.start > start]
        start = min(cut) if cut else nxt


# --- encoding ------------------------------------------------------------------------


class CharEncoder:
    """Token ids per character under one tokenizer, cached, so a window is encoded by
    concatenation: exactly what ``tokenizer(list(text), is_split_into_words=True)`` gives,
    without calling the tokenizer per window. A character with no token gets the unknown
    token as a placeholder."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self._ids: dict[str, tuple[int, ...]] = {}
        specials = tokenizer("", add_special_tokens=True)["input_ids"]
        bos = getattr(tokenizer, "cls_token_id", None) or getattr(tokenizer, "bos_token_id", None)
        if len(specials) == 2:
            self.prefix, self.suffix = specials[:1], specials[1:]
        elif len(specials) == 1 and specials[0] == bos:
            self.prefix, self.suffix = specials, []
        else:
            self.prefix, self.suffix = [], list(specials)

    @property
    def special_count(self) -> int:
        return len(self.prefix) + len(self.suffix)

    def ids(self, char: str) -> tuple[int, ...]:
        found = self._ids.get(char)
        if found is None:
            found = tuple(self.tokenizer(char, add_special_tokens=False)["input_ids"])
            if not found:  # space, \u3000, zero-width, BOM: keep a position for the character
                found = (self.tokenizer.unk_token_id,)
            self._ids[char] = found
        return found

    def costs(self, text: str) -> list[int]:
        """Tokens per character."""
        return [len(self.ids(c)) for c in text]

    def windows(
        self,
        text: str,
        *,
        max_tokens: int,
        stride: int,
        spans: Sequence[Span] = (),
        within: Regions | None = None,
    ) -> list[tuple[int, int]]:
        """`windows` of ``text`` whose encoding, special tokens included, fits ``max_tokens``."""
        budget = max_tokens - self.special_count
        cost = self.costs(text)
        return windows(text, budget=budget, stride=stride, cost=cost, spans=spans, within=within)

    def encode(
        self,
        text: str,
        tags: Sequence[str] | None = None,
        hints: Sequence[int] | None = None,
    ) -> dict[str, list[int]]:
        """Token ids for ``text``, the character each first token stands for (`IGNORE`
        elsewhere); with tags, one label id per character on its first token; with hints
        (one id per character, `nlp.rules.char_hints`), ``token_type_ids`` carrying them on
        every token of the character (0 on special tokens)."""
        input_ids = list(self.prefix)
        char_index = [IGNORE] * len(self.prefix)
        types = [0] * len(self.prefix)
        for i, c in enumerate(text):
            ids = self.ids(c)
            input_ids += ids
            char_index += [i] + [IGNORE] * (len(ids) - 1)
            if hints is not None:
                types += [hints[i]] * len(ids)
        input_ids += self.suffix
        char_index += [IGNORE] * len(self.suffix)
        out = {
            "input_ids": input_ids,
            "attention_mask": [1] * len(input_ids),
            "char_index": char_index,
        }
        if hints is not None:
            out["token_type_ids"] = types + [0] * len(self.suffix)
        if tags is not None:
            out["labels"] = [IGNORE if i == IGNORE else TAG2ID[tags[i]] for i in char_index]
        return out
