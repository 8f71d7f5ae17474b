"""indosec.records, the one reader of .txt/.jsonl/.csv files (CLI, app, training, scripts)."""

import re
from pathlib import Path

import pytest

from indosec.records import InputError, read_objects, read_rows

from tests.conftest import ROOT


def test_a_csv_record_over_several_lines_is_numbered_by_its_first_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,text\n1,"satu\ndua\ntiga"\n2,"empat",lebih\n', encoding="utf-8")
    rows = list(read_rows(path))
    assert [(r.line, r.fields, r.error) for r in rows] == [
        (2, {"id": "1", "text": "satu\ndua\ntiga"}, None), (5, None, "has 3 fields, the header has 2"),
    ]
    with pytest.raises(InputError, match=re.escape(f"{path}:5: has 3 fields, the header has 2")):
        read_objects(path)


def test_read_objects_stops_at_the_first_bad_line_with_file_and_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1}\n\n[1, 2]\n{"id": 3\n', encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}:3: expected a JSON object, got list")):
        read_objects(path)
    path.write_text('\ufeff{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")  # a byte-order mark is not data
    assert read_objects(path) == [{"id": 1}, {"id": 2}]


def test_an_unknown_format_is_named_and_a_format_can_be_given(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_text('{"text": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown input format '.ndjson'"):
        read_objects(path)
    assert read_objects(path, format="jsonl") == [{"text": "a"}]


def test_no_module_parses_json_lines_or_csv_on_its_own():
    """Every JSONL/CSV file is read by indosec.records (one rule set, one line numbering)."""
    inline = re.compile(r"json\.loads\(line\)|csv\.(reader|DictReader)\(")
    offenders = [str(p.relative_to(ROOT)) for folder in ("indosec", "train", "scripts") for p in (ROOT / folder).rglob("*.py")
                 if p.name != "records.py" and inline.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
