from nlp.schema import BIO_TAGS, ID2TAG, LABELS, TAG2ID, Document, Record, Span


def test_bio_tags_cover_every_label_and_ids_are_stable():
    assert BIO_TAGS[0] == "O"
    assert len(BIO_TAGS) == 1 + 2 * len(LABELS)
    assert all(ID2TAG[TAG2ID[t]] == t for t in BIO_TAGS)
    assert list(BIO_TAGS[1:]) == sorted(BIO_TAGS[1:])


def test_span_line_round_trip():
    text = "地区生产总值完成990亿元"
    doc = Document(
        text=text,
        spans=(Span.of(text, 0, 6, "INDICATOR"), Span.of(text, 8, 11, "AMOUNT", score=0.87654)),
        doc="a.txt",
        doc_year=2021,
    )
    line = doc.to_span_line()
    assert line["spans"][1] == {
        "label": "AMOUNT",
        "start": 8,
        "end": 11,
        "text": "990",
        "score": 0.8765,
    }
    assert "score" not in line["spans"][0]
    back = Document.from_span_line(line)
    assert back.spans == doc.spans and back.doc_year == 2021 and back.text == text


def test_record_line_shape_and_round_trip():
    text = "地区生产总值完成990亿元"
    record = Record(
        amount=Span.of(text, 8, 11, "AMOUNT"),
        unit=Span.of(text, 11, 13, "UNIT"),
        indicator=Span.of(text, 0, 6, "INDICATOR"),
        value=99_000_000_000.0,
        base_unit="元",
        measure="level",
        indicator_standard="gdp",
        sentence=(0, 13),
    )
    line = record.to_dict("a.txt")
    assert set(line) == {
        "doc", "amount", "unit", "indicator", "date", "project", "change", "approximate",
        "measure", "indicator_standard", "value", "value_low", "value_high", "base_unit", "period_start", "period_end",
        "sentence", "score",
    }  # fmt: skip
    assert line["amount"] == {"text": "990", "start": 8, "end": 11}
    assert line["date"] is None and line["sentence"] == {"start": 0, "end": 13}
    assert Record.from_dict(line) == record


def test_a_record_is_as_sure_as_its_least_sure_span_and_its_line_keeps_each_score():
    from nlp.records import assemble

    text = "地区生产总值完成990亿元"
    spans = [
        Span.of(text, 0, 6, "INDICATOR", score=0.91),
        Span.of(text, 8, 11, "AMOUNT", score=0.99),
        Span.of(text, 11, 13, "UNIT", score=0.97),
    ]
    (record,) = assemble(text, spans)
    assert record.score == 0.91
    line = record.to_dict("a.txt")
    assert (line["score"], line["amount"]["score"], line["unit"]["score"]) == (0.91, 0.99, 0.97)
    back = Record.from_dict(line)
    assert back.indicator.score == 0.91 and back.score == 0.91
    (unscored,) = assemble(text, [Span(s.start, s.end, s.label, s.text) for s in spans])
    assert unscored.score is None and "score" not in unscored.to_dict()["amount"]
