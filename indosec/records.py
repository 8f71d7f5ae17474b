"""Read sentences from .txt, .jsonl or .csv files one record at a time, so memory does not
grow with the file. A bad record does not stop the reading: it comes out with its line
number and what is wrong, and the caller reports it and goes on.

- .txt: one sentence per line; blank lines are skipped (they separate, they are not input).
- .jsonl: one JSON object per line with the text in `text_column`; blank lines skipped.
- .csv: a header row naming `text_column`; quoted fields may span lines (the record's line
  is the one it starts on); a stray or unclosed quote makes that row bad rather than glue
  the following rows into one giant field.

Files are read as UTF-8 (a byte-order mark is ignored); a line that is not valid UTF-8 is a
bad record, not the end of the file.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".jsonl", ".csv")


class InputError(ValueError):
    """The file as a whole cannot be read (missing, unknown format, no text column)."""


@dataclass(frozen=True)
class Record:
    """One input record: `text` is set, or `error` says what is wrong with the line."""

    line: int
    text: str | None = None
    id: str | int | None = None
    error: str | None = None


def check_input(path: str | Path, text_column: str = "text") -> Path:
    """Fail before any model is loaded if the file cannot be read at all."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"{path}: unknown input format {path.suffix!r}; use one of {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        with _open(path) as f:
            header = next(csv.reader(f), None)
        if not header or text_column not in header:
            found = ", ".join(header) if header else "an empty file"
            raise InputError(f"{path}: the header has no column {text_column!r} (found: {found}); choose one with --text-column")
    return path


def read_records(path: str | Path, text_column: str = "text", id_column: str = "id") -> Iterator[Record]:
    path = check_input(path, text_column)
    reader = {".txt": _read_txt, ".jsonl": _read_jsonl, ".csv": _read_csv}[path.suffix.lower()]
    for record in reader(path, text_column, id_column):
        if record.text is not None and _has_undecodable_bytes(record.text):
            record = Record(record.line, error="is not valid UTF-8")
        yield record


def count_lines(path: str | Path) -> int:
    """Lines in the file, for the progress bar's total (one fast pass, constant memory)."""
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _read_txt(path: Path, text_column: str, id_column: str) -> Iterator[Record]:
    with _open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield Record(n, text=line)


def _read_jsonl(path: Path, text_column: str, id_column: str) -> Iterator[Record]:
    with _open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                yield Record(n, error=f"invalid JSON ({e.msg} at column {e.colno})")
                continue
            if not isinstance(row, dict):
                yield Record(n, error=f"expected a JSON object with field {text_column!r}, got {type(row).__name__}")
            elif text_column not in row:
                yield Record(n, error=f"no field {text_column!r} (fields: {', '.join(row) or 'none'})")
            elif not isinstance(row[text_column], str):
                yield Record(n, error=f"field {text_column!r} is {type(row[text_column]).__name__}, expected a string")
            else:
                yield Record(n, text=row[text_column], id=_scalar(row.get(id_column)))


def _read_csv(path: Path, text_column: str, id_column: str) -> Iterator[Record]:
    # a long field is reported by the length check with its line number, not by csv's limit
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with _open(path) as f:
        lines = _CountedLines(f)
        # strict: a stray or unclosed quote is an error on its line, not text silently glued
        # to the following rows
        reader = csv.DictReader(lines, strict=True)
        reader.fieldnames  # reads the header now, so line numbers count from the first record
        while True:
            start = lines.count + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield Record(start, error=f"unreadable CSV row ({e})")
                continue
            if None in row:
                yield Record(start, error=f"has {len(reader.fieldnames) + len(row[None])} fields, the header has {len(reader.fieldnames)}")
            elif row.get(text_column) is None:
                yield Record(start, error=f"has fewer fields than the header; column {text_column!r} is missing")
            else:
                yield Record(start, text=row[text_column], id=_scalar(row.get(id_column)))


class _CountedLines:
    """The file's lines, counting how many the csv reader has taken (its own `line_num`
    lags behind after an error)."""

    def __init__(self, f):
        self.f, self.count = f, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.f)
        self.count += 1
        return line


def _open(path: Path):
    # surrogateescape: a bad byte spoils only its own line, found by _has_undecodable_bytes
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _has_undecodable_bytes(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def _scalar(value):
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
