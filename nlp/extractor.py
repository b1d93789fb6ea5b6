"""The Python API: load a tagger once, get documents with spans and records.

>>> from nlp import Extractor
>>> extractor = Extractor.load("rules")          # or None (bundled model), a directory, a hub name
>>> doc = extractor.extract("2020年,地区生产总值完成990亿元,同比增长0.2%。")
>>> [(r.amount.text, r.unit.text, r.value) for r in doc.records]
[('990', '亿元', 99000000000.0), ('0.2', '%', 0.2)]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nlp import rules
from nlp.errors import ModelError
from nlp.layout import Layout, document_year
from nlp.meta import detect_doc_type, detect_region
from nlp.records import assemble
from nlp.schema import Document, Span
from nlp.text import Regions, in_regions

DEFAULT_MODEL = Path(__file__).parent / "models" / "default"
RULES = "rules"
DOC_CHARS_PER_CALL = 60_000  # documents are tagged together up to this many characters


class SpanTagger(Protocol):
    def predict(
        self, texts: Sequence[str], regions: Sequence[Regions | None] | None = None
    ) -> list[list[Span]]: ...


@dataclass(frozen=True, slots=True)
class RulesTagger:
    """The regex baseline behind the same interface as a model."""

    def predict(
        self, texts: Sequence[str], regions: Sequence[Regions | None] | None = None
    ) -> list[list[Span]]:
        regions = regions if regions is not None else [None] * len(texts)
        return [in_regions(rules.tag(t), r) for t, r in zip(texts, regions, strict=True)]


_HUB_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def resolve_model(path: str | Path | None) -> str | Path:
    """``None`` → the bundled default model; ``"rules"``; an existing directory; or a hub
    name, which must look like ``org/name`` and not start with a local directory (so that a
    mistyped ``runs/modle`` is an error here, not a download attempt)."""
    if path is None:
        if not (DEFAULT_MODEL / "config.json").exists():
            raise ModelError(
                "no bundled default model",
                where=str(DEFAULT_MODEL),
                fix="reinstall the package, pass a model directory, or use --model rules",
            )
        return DEFAULT_MODEL
    if str(path) == RULES or Path(path).is_dir():
        return path
    name = str(path)
    if _HUB_NAME.fullmatch(name) and not Path(name.split("/")[0]).exists():
        return name
    raise ModelError(
        "no such model directory" + (" (a file, not a directory)" if Path(path).exists() else ""),
        where=name,
        fix="give a model directory (nlp train makes one), a hub name such as org/name, "
        "or 'rules'; leave --model out for the bundled model",
    )


class Extractor:
    """Spans and records from report texts with one loaded tagger; safe to share between
    threads for reading."""

    def __init__(
        self,
        tagger: SpanTagger,
        *,
        model_dir: Path | None = None,
        name: str | None = None,
        all_spans: bool = False,
    ) -> None:
        """``all_spans``: tag every sentence; by default only the stretches a record can
        draw on are tagged (`Layout.fact_regions`: sentences with a numeral and the
        headings, title and paragraph openers around them): faster, with records as good
        (from gold spans, the very same), and no spans far from any figure."""
        self.tagger = tagger
        self.model_dir = model_dir
        self.name = name or (model_dir.name if model_dir else type(tagger).__name__)
        self.all_spans = all_spans

    @property
    def version(self) -> str:
        """Which model made the spans: its name and the fingerprint of its training data
        (``default@7c75b458826c5653``); ``rules`` for the regex baseline."""
        meta = self.model_dir / "nlp.json" if self.model_dir else None
        if meta is None or not meta.exists():
            return self.name
        fingerprint = json.loads(meta.read_text(encoding="utf-8")).get("data_fingerprint")
        return f"{self.name}@{fingerprint}" if fingerprint else self.name

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int | None = None,
        threads: int | None = None,
        all_spans: bool = False,
    ) -> Extractor:
        """Load the bundled default model (``None``), ``"rules"``, a model directory or a
        hub name. ``device``: auto, cpu, cuda, cuda:1; ``dtype``: auto, fp32, bf16, fp16,
        int8; ``batch_size``: windows per model run (default: 8 on ONNX Runtime int8, 32 on
        PyTorch, chosen by measurement); ``threads``: CPU threads of ONNX Runtime (default:
        all cores); ``all_spans``: tag every sentence, not only those records draw on."""
        resolved = resolve_model(path)
        if str(resolved) == RULES:
            return cls(RulesTagger(), name=RULES, all_spans=all_spans)
        from nlp.tagger import Tagger

        tagger = Tagger.load(
            resolved, device=device, dtype=dtype, batch_size=batch_size, threads=threads
        )
        local = Path(resolved).exists()
        return cls(
            tagger,
            model_dir=Path(resolved) if local else None,
            name=None if local else str(resolved),
            all_spans=all_spans,
        )

    def tag(self, text: str) -> list[Span]:
        """The spans of one text."""
        return self.tagger.predict([text])[0]

    def extract(
        self, text: str, *, doc_year: int | None = None, doc: str | None = None
    ) -> Document:
        """Spans and records of one text; ``doc_year`` resolves relative dates (taken from the
        title or first lines when not given)."""
        return next(self.extract_many([(doc, text)], doc_year=doc_year))

    def extract_many(
        self,
        items: Iterable[str | tuple[str | None, str] | tuple[str | None, str, int | None]],
        *,
        doc_year: int | None = None,
        chars_per_call: int = DOC_CHARS_PER_CALL,
    ) -> Iterator[Document]:
        """Documents for texts, ``(id, text)`` pairs or ``(id, text, year)`` triples (a
        year of its own, such as a JSONL line's), streamed in input order; texts are tagged
        together in groups of about ``chars_per_call`` characters. ``doc_year`` is the year
        of every text that brings none; without it, each text's title gives its own."""
        if isinstance(items, str):
            raise TypeError("extract_many takes an iterable of texts; for one text use extract")
        group: list[tuple[str | None, str, int | None]] = []
        size = 0
        for item in items:
            doc, text, year = _item(item)
            group.append((doc, text, year))
            size += len(text)
            if size >= chars_per_call:
                yield from self._extract_group(group, doc_year)
                group, size = [], 0
        if group:
            yield from self._extract_group(group, doc_year)

    def _extract_group(
        self, group: list[tuple[str | None, str, int | None]], doc_year: int | None
    ) -> Iterator[Document]:
        texts = [text for _, text, _ in group]
        layouts = [Layout.of(text) for text in texts]  # once per document: tagger to region
        regions = None if self.all_spans else [layout.fact_regions() for layout in layouts]
        tagged = self.tagger.predict(texts, regions)
        for (doc, text, own), layout, spans in zip(group, layouts, tagged, strict=True):
            year, source = _year(text, own, doc_year)
            records = assemble(text, spans, doc_year=year, layout=layout)
            yield Document(
                text=text,
                spans=tuple(spans),
                records=tuple(records),
                doc=doc,
                doc_year=year,
                doc_year_source=source,
                region=detect_region(text, layout),
                doc_type=detect_doc_type(text, layout),
            )


def _item(item: object) -> tuple[str | None, str, int | None]:
    """An input of `extract_many` as ``(id, text, year)``, checked: a clear `TypeError`
    here, not a confusing one deep inside the tagger."""
    if isinstance(item, str):
        doc, text, year = None, item, None
    elif isinstance(item, tuple) and len(item) in (2, 3):
        doc, text, year = (*item, None)[:3]
    else:
        raise TypeError(f"expected a text, (id, text) or (id, text, year), got {item!r:.60}")
    if not isinstance(text, str):
        raise TypeError(f"a document's text must be a str, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"document {doc!r}: the text holds a lone surrogate ({exc})") from exc
    return doc, text, year


def _year(text: str, own: int | None, given: int | None) -> tuple[int | None, str]:
    """The year relative dates resolve against, and where it came from: the document's own
    (`input`), the caller's (`option`), the title lines (`title`) or nowhere (`none`)."""
    if own is not None:
        return own, "input"
    if given is not None:
        return given, "option"
    found = document_year(text)
    return found, "title" if found is not None else "none"
