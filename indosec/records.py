"""The one reader for .txt, .jsonl and .csv files, used by the CLI (sentences to label, from a
file or standard input), the app, training (`train.data`, labelled rows) and the scripts
(`read_objects`). Rows come one at a time, so memory does not grow with the file. A bad row
does not stop the reading: it comes out with its line number and what is wrong, and the
caller reports it and goes on (or, with `read_objects`, stops on it).

The format comes from the file's suffix, or is named (`format=`, the CLI's `--format`);
standard input (path `-`) is text, one sentence per line, unless named.

- .txt: one sentence per line (field `text`); blank lines are skipped (they separate, they are
  not input).
- .jsonl: one JSON object per line; blank lines skipped. A JSON error names the column where
  the line goes wrong.
- .csv: a header row; the delimiter is `,`, `;` (Excel in an Indonesian locale) or tab,
  detected from the header unless given. Quoted fields may span lines (a row's line is the
  one it starts on). A stray or unclosed quote makes its own row bad: reading resumes on the
  next line, so the rows after it are still read.

Files are read as UTF-8 (a byte-order mark is ignored); a line that is not valid UTF-8 is a
bad row, not the end of the file.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("txt", "jsonl", "csv")
SUFFIXES = tuple(f".{f}" for f in FORMATS)
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
STDIN = "-"


class InputError(ValueError):
    """The file as a whole cannot be read (missing, unknown format, no text column).
    `problem` is what is wrong; `advice`, the command line's way out, follows it in the message."""

    def __init__(self, problem: str, advice: str = ""):
        super().__init__(f"{problem}; {advice}" if advice else problem)
        self.problem = problem


@dataclass(frozen=True)
class Row:
    """One row of a file: `fields`, or the `error` of its line; `path` when several are read."""

    line: int
    fields: dict | None = None
    error: str | None = None
    path: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Record:
    """One sentence to label: `text` is set, or `error` says what is wrong with the line."""

    line: int
    text: str | None = None
    id: str | int | None = None
    error: str | None = None


@dataclass
class Source:
    """An input opened for reading, its format known and, for CSV, its delimiter found in the
    header (read already: standard input can be read only once). Its lines are read once."""

    name: str
    format: str
    lines: Iterator[str]
    delimiter: str | None = None


def open_source(path: str | Path, *, format: str | None = None, text_column: str = "text", delimiter: str | None = None) -> Source:
    """Open a file, or standard input for `-`, checking before any row is read what would make
    the whole input unreadable (InputError): the format, a missing file, a CSV header without
    `text_column`."""
    stdin = str(path) == STDIN
    name = "<stdin>" if stdin else str(path)
    if format is None:
        format = "txt" if stdin else Path(path).suffix.lower().lstrip(".")
        if format not in FORMATS:
            raise InputError(f"{name}: unknown input format {Path(path).suffix!r}; use one of {', '.join(SUFFIXES)}", "or name it with --format")
    elif format not in FORMATS:
        raise InputError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if not stdin and not Path(path).is_file():
        raise InputError(f"{name}: no such file")
    lines = _stdin_lines() if stdin else _file_lines(Path(path))
    if format != "csv":
        return Source(name, format, lines)
    header = next(lines, "")
    return Source(name, format, itertools.chain([header], lines), csv_delimiter(header, name, text_column, delimiter))


def csv_delimiter(header_line: str, name: str, text_column: str = "text", delimiter: str | None = None) -> str:
    """The delimiter of a CSV file whose first line is `header_line`: the given one, else the
    one of `,` `;` tab whose header has `text_column` (the most frequent in the header if
    several do). InputError if the header has no such column."""
    if delimiter is not None and delimiter not in DELIMITERS:
        raise InputError(f"unsupported delimiter {delimiter!r}; use ',', ';' or a tab")
    header_line = header_line.rstrip("\r\n")
    candidates = [delimiter] if delimiter else sorted(DELIMITERS, key=lambda d: -header_line.count(d))
    headers = {d: next(csv.reader([header_line], delimiter=d), []) for d in candidates}
    for d in candidates:
        if text_column in headers[d]:
            return d
    best = max(candidates, key=lambda d: len(headers[d]))
    found = ", ".join(headers[best]) if headers[best] else "an empty file"
    how = f"split on {DELIMITERS[best]}s"
    raise InputError(
        f"{name}: the header ({how}) has no column {text_column!r} (found: {found})",
        "choose the column with --text-column, or the delimiter with --delimiter",
    )


def read_rows(source: Source | str | Path, *, format: str | None = None, delimiter: str | None = None, text_column: str = "text") -> Iterator[Row]:
    """Every row of a .txt, .jsonl or .csv file (or an opened Source), in order, good or bad."""
    if not isinstance(source, Source):
        source = open_source(source, format=format, text_column=text_column, delimiter=delimiter)
    if source.format == "csv":
        yield from _csv_rows(source.lines, source.delimiter)
    else:
        yield from (_txt_rows if source.format == "txt" else _jsonl_rows)(source.lines)


def read_records(
    source: Source | str | Path, text_column: str = "text", id_column: str = "id", delimiter: str | None = None, *, format: str | None = None
) -> Iterator[Record]:
    """The sentences of a file to label: the text column of each row, or what is wrong with it."""
    if not isinstance(source, Source):
        source = open_source(source, format=format, text_column=text_column, delimiter=delimiter)
    for row in read_rows(source):
        f = row.fields
        if row.error is not None:
            yield Record(row.line, error=row.error)
        elif f.get(text_column) is None:
            fields = ", ".join(k for k in f if f[k] is not None) or "none"
            yield Record(row.line, error=f"no field {text_column!r} (fields: {fields})")
        elif not isinstance(f[text_column], str):
            yield Record(row.line, error=f"field {text_column!r} is {type(f[text_column]).__name__}, expected a string")
        else:
            yield Record(row.line, text=f[text_column], id=_scalar(f.get(id_column)))


def read_objects(path: str | Path, *, format: str | None = None) -> list[dict]:
    """Every row of a file as a dict, for scripts that need all of it and can do nothing with a
    bad row: InputError naming the file and line of the first bad one."""
    source = open_source(path, format=format)
    out = []
    for row in read_rows(source):
        if row.error is not None:
            raise InputError(f"{source.name}:{row.line}: {row.error}")
        out.append(row.fields)
    return out


def count_lines(path: str | Path) -> int:
    """Lines in the file, for the progress bar's total (one fast pass, constant memory)."""
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def json_error(e: json.JSONDecodeError, line: str) -> str:
    """What is wrong with a JSON line (without its newline), at the column where it goes wrong:
    json reports an unterminated string where the string starts, not where the line ends."""
    if e.msg.startswith("Unterminated string"):
        end = len(line) + 1
        return f"invalid JSON at column {end}: the line ends inside the string that opens at column {e.colno}"
    return f"invalid JSON at column {e.colno}: {e.msg}"


def _txt_rows(lines: Iterator[str]) -> Iterator[Row]:
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if line.strip():
            yield Row(n, error=_NOT_UTF8) if _has_undecodable_bytes(line) else Row(n, {"text": line})


def _jsonl_rows(lines: Iterator[str]) -> Iterator[Row]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if _has_undecodable_bytes(line):
            yield Row(n, error=_NOT_UTF8)
            continue
        line = line.rstrip("\r\n")  # else a line cut short is reported at "line 2, column 1"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield Row(n, error=json_error(e, line))
            continue
        if isinstance(obj, dict):
            yield Row(n, obj)
        else:
            yield Row(n, error=f"expected a JSON object, got {type(obj).__name__}")


def _csv_rows(file_lines: Iterator[str], delimiter: str) -> Iterator[Row]:
    # a long field is reported by the length check with its line number, not by csv's limit
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    lines = _Lines(file_lines)
    # strict: a stray quote is an error on its row, not text silently glued to the next rows
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header = next(reader, [])
    while True:
        start, error = lines.begin_row(), None
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            row, error = None, str(e)
        taken = lines.taken
        if row == []:
            continue  # blank line
        if (row is None or len(row) != len(header)) and len(taken) > 1:
            # An unclosed quote swallowed the lines after it: that row alone is bad, and
            # the lines it swallowed are read again as rows of their own.
            lines.push_back(taken[1:])
            yield Row(start, error=f"a quote opened in this row is not closed on its line; row skipped, reading resumes at line {start + 1}")
        elif row is None:
            yield Row(start, error=f"unreadable CSV row ({error})")
        elif any(_has_undecodable_bytes(text) for _, text in taken):
            yield Row(start, error=_NOT_UTF8)
        elif len(row) != len(header):
            yield Row(start, error=f"has {len(row)} fields, the header has {len(header)}")
        else:
            yield Row(start, dict(zip(header, row)))


class _Lines:
    """The file's lines with their numbers, for the csv reader; remembers the lines of the
    current row so they can be pushed back and read again."""

    def __init__(self, f):
        self.numbered = enumerate(f, 1)
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.last = 0

    def begin_row(self) -> int:
        """Start a row; returns the number of its first line."""
        self.taken = []
        return self.pending[0][0] if self.pending else self.last + 1

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))

    def __iter__(self):
        return self

    def __next__(self) -> str:
        n, line = self.pending.popleft() if self.pending else next(self.numbered)
        self.last = max(self.last, n)
        self.taken.append((n, line))
        return line


_NOT_UTF8 = "is not valid UTF-8"


# UTF-8 with a byte-order mark ignored; surrogateescape: a bad byte spoils only its own line,
# found by _has_undecodable_bytes; newline="": a CSV field may hold a line break.
_ENCODING = {"encoding": "utf-8-sig", "errors": "surrogateescape", "newline": ""}


def _file_lines(path: Path) -> Iterator[str]:
    with open(path, **_ENCODING) as f:
        yield from f


def _stdin_lines() -> Iterator[str]:
    if getattr(sys.stdin, "buffer", None) is None:  # replaced by a text-only stream
        yield from sys.stdin
        return
    f = io.TextIOWrapper(sys.stdin.buffer, **_ENCODING)
    try:
        yield from f
    finally:
        if not f.closed:
            f.detach()  # closing the wrapper would close sys.stdin


def _has_undecodable_bytes(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def _scalar(value):
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
