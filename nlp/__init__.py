"""nlp: structured statistical records from Chinese government reports."""

from nlp.schema import LABELS, Document, Record, Span

__all__ = ["LABELS", "Document", "Record", "Span"]
__version__ = "0.1.0"
