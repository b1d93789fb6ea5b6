"""Reading reports into text, and writing span and record lines.

The decoded text is the document: every offset the package writes points into it, so
readers never normalise newlines or strip anything.
"""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from nlp.errors import InputError
from nlp.schema import Document, Record

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_utf16(head: bytes) -> bool:
    """Whether bytes read as UTF-16 (either order) give text: CJK, ASCII and punctuation."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = head[: len(head) // 2 * 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(
            "\u4e00" <= c <= "\u9fff" or " " <= c <= "~" or c in "\n\r\t，。、；：％" for c in text
        )
        if text and readable >= 0.9 * len(text):
            return True
    return False


def decode(data: bytes, *, source: str = "<bytes>") -> str:
    """Bytes → text: a BOM decides, then strict UTF-8, then GB18030, then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source}: starts with a {encoding} byte-order mark but does not decode as "
                    f"{encoding} (byte {exc.start})"
                ) from exc
    head = data[:4096]
    if b"\x00" in head:
        if _looks_utf16(head):
            raise InputError(
                f"{source}: looks like UTF-16 without a byte-order mark",
                fix="save it as UTF-8 (or UTF-16 with a BOM)",
            )
        raise InputError(f"{source}: binary file (NUL bytes), not a text report")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312: Chinese official files
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{source}: cannot detect the text encoding")
    return str(best)


def _check_text(text: str, source: str) -> str:
    if not text.strip():
        raise InputError(f"{source}: empty document (no text)")
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > 0.05 * min(len(text), 4096):
        raise InputError(f"{source}: looks binary (control characters), not a text report")
    return text


class _VisibleText(HTMLParser):
    """The text a browser shows: no script/style/head, a line break at each block element."""

    HIDDEN = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
         "article", "header", "footer", "ul", "ol", "blockquote", "pre", "hr", "td", "th"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = (" ".join(line.split()) for line in joined.splitlines())
        return "\n".join(line for line in lines if line)


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one line per block element; an unterminated
    `<!--` hides the rest of the page, as browsers do."""
    start = markup.rfind("<!--")
    if start >= 0 and "-->" not in markup[start:]:
        markup = markup[:start]
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return parser.text()


def _docx_text(path: Path) -> str:
    try:
        import docx
    except ImportError as exc:
        raise InputError(f"{path}: reading .docx needs the extra: pip install 'nlp[docs]'") from exc
    try:
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    except OSError:
        raise
    except Exception as exc:  # a third-party parser on a bad file: this file fails, not the run
        raise InputError(f"{path}: not a readable .docx ({type(exc).__name__}: {exc})") from exc


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as exc:
        raise InputError(f"{path}: reading .pdf needs the extra: pip install 'nlp[docs]'") from exc
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except OSError:
        raise
    except Exception as exc:  # a third-party parser on a bad file: this file fails, not the run
        raise InputError(f"{path}: not a readable .pdf ({type(exc).__name__}: {exc})") from exc


SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
JSONL_SUFFIXES = (".jsonl", ".ndjson")  # one report per line
TEXT_FIELDS = ("content", "text")  # where a JSONL line keeps its report, by default


def read_bytes(data: bytes, *, source: str, suffix: str = ".txt") -> str:
    """Decode one report's bytes (as read from a file or stdin) into its text."""
    if not data:
        raise InputError(f"{source}: empty file")
    if suffix in (".html", ".htm"):
        return _check_text(html_text(decode(data, source=source)), source)
    return _check_text(decode(data, source=source), source)


def text_sha256(text: str) -> str:
    """The content hash that identifies a document across runs (resume, Label Studio)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_document(path: str | Path) -> str:
    """The text of a report file: .txt/.md (encoding detected), .html/.htm (visible text),
    .docx and .pdf (text layer, with the `docs` extra). Raises `InputError` naming the file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: a folder that cannot be read (permission denied?)")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        raise InputError(f"{path}: a JSONL file holds many reports; read it with jsonl_documents")
    if suffix and suffix not in SUFFIXES:
        raise InputError(
            f"{path}: unknown file type {suffix!r}",
            fix=f"give {', '.join(SUFFIXES + JSONL_SUFFIXES)} files, or rename a text file .txt",
        )
    try:
        if suffix == ".docx":
            return _check_text(_docx_text(path), str(path))
        if suffix == ".pdf":
            return _check_text(_pdf_text(path), str(path))
        return read_bytes(path.read_bytes(), source=str(path), suffix=suffix)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc


def jsonl_documents(
    path: str | Path, *, text_field: str | None = None, id_field: str | None = None
) -> Iterator[tuple[str, str | InputError, int | None]]:
    """The reports of a JSONL file, one per line: ``(name, text, year)`` with the name
    ``PATH#ID`` (``id_field``'s value, else the line number), the text from ``text_field``
    (default: ``content``, else ``text``) and the line's ``year`` if it has one. A bad line
    gives its `InputError` in place of the text, so the other lines still run."""
    path = Path(path)
    fields = (text_field,) if text_field else TEXT_FIELDS
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                name = f"{path}#{n}"
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                    if id_field and row.get(id_field) not in (None, ""):
                        name = f"{path}#{row[id_field]}"
                    text = next((row[k] for k in fields if isinstance(row.get(k), str)), None)
                    if text is None:
                        raise ValueError(f"no text in the field(s) {', '.join(fields)}")
                    year = row.get("year")
                    year = int(year) if str(year or "").strip().isdigit() else None
                    yield name, _check_text(text, name), year
                except (ValueError, InputError) as exc:
                    yield name, InputError(f"{path}:{n}: {exc}"), None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc


def _collect(into: list[str]) -> Callable[[OSError], None]:
    return lambda error: into.append(str(error.filename))


def iter_inputs(paths: Iterable[str], *, glob: str = "*") -> Iterator[str]:
    """Input names in a stable order: files as given, directories walked recursively for
    files matching ``glob`` with a known suffix, and ``-`` (stdin) as is. A folder that
    cannot be read is yielded itself, so that the run reports it as a failed input;
    symbolic links to folders are not followed (no loops)."""
    for name in paths:
        path = Path(name)
        if name == "-" or not path.is_dir():
            yield name
            continue
        unreadable: list[str] = []
        found = []
        for folder, dirs, files in os.walk(path, onerror=_collect(unreadable)):
            dirs.sort()
            found += [
                Path(folder) / f
                for f in files
                if Path(f).suffix.lower() in SUFFIXES and fnmatch.fnmatch(f, glob)
            ]
        yield from (str(p) for p in sorted(found))
        yield from sorted(unreadable)


def count_documents(names: Iterable[str]) -> int:
    """How many documents the inputs hold, cheaply (a JSONL file: its non-blank lines), for
    a progress bar with a total; stdin counts one."""
    total = 0
    for name in names:
        path = Path(name)
        if name != "-" and path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with path.open("rb") as f:
                    total += sum(1 for line in f if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total


# --- span and record lines -----------------------------------------------------------


def _jsonl(path: Path, kind: str, parse: Callable[[dict[str, Any]], Any]) -> Iterator[Any]:
    """Parsed lines of a JSONL file, skipping blank ones; a bad line raises `InputError`
    naming the file, the line number and what the line should have been."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield parse(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise InputError(f"{path}:{n}: not a {kind} ({exc})") from exc


def read_span_lines(path: str | Path) -> Iterator[Document]:
    """Documents from a span-line JSONL file."""
    return _jsonl(Path(path), "span line", Document.from_span_line)


def read_record_lines(path: str | Path) -> Iterator[tuple[str | None, Record]]:
    """(doc, record) pairs from a record-line JSONL file."""
    return _jsonl(Path(path), "record line", lambda row: (row.get("doc"), Record.from_dict(row)))


def corpus_texts(path: str | Path | None) -> list[str]:
    """Every text under ``path`` for vocabularies and pretraining: .txt files, JSONL lines
    (their "content" or "text"), Label Studio exports (each task's text). A missing path
    gives nothing: the unlabeled corpus is optional."""
    from nlp.training.annotations import SPLITS_FILE, load_tasks

    if path is None or not Path(path).exists():
        return []
    path = Path(path)
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    texts: list[str] = []
    for file in files:
        if file.suffix == ".txt":
            texts.append(file.read_text(encoding="utf-8", errors="replace"))
        elif file.suffix == ".jsonl":
            for line in file.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                texts.append(str(row.get("content") or row.get("text") or ""))
        elif file.suffix == ".json" and file.name != SPLITS_FILE:
            texts += [t.text for t in load_tasks(file)]
    return [t for t in texts if t]
