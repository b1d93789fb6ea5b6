"""nlp: structured statistical records from Chinese government reports.

from nlp import Extractor
extractor = Extractor.load()                 # the bundled model; or a directory, "rules"
for record in extractor.extract(text).records:
    print(record.indicator, record.value, record.base_unit, record.period_start)
"""

from nlp.errors import NlpError
from nlp.extractor import Extractor
from nlp.schema import LABELS, Document, Record, Span

__all__ = ["LABELS", "Document", "Extractor", "NlpError", "Record", "Span"]
__version__ = "0.1.0"
