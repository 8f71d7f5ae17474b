"""The articles of an input, for document mode (`indosec predict --document` and the app): a
text input (.txt, and standard input unless a format is named) is one article; each line of a
.jsonl file and each row of a .csv file is one, with its `id` and other fields carried along.
Reading is `indosec.records`'; this module only decides what one article is.
"""

from __future__ import annotations

from collections.abc import Iterator

from indosec.records import Record, Source, read_records, undecodable_at

NOT_UTF8_AT = "not valid UTF-8 (byte {offset}); save the file as UTF-8"


def article_records(source: Source, text_column: str = "text", id_column: str = "id") -> Iterator[Record]:
    """One Record per article of `source`, in order: `text` set, or `error` saying what is wrong
    (a .jsonl/.csv row as `indosec.records.read_records` reports it; a text file with a byte
    that is not UTF-8, with that byte's offset)."""
    if source.format != "txt":
        yield from read_records(source, text_column, id_column)
        return
    text = "".join(source.lines)  # read with newline="": the article's own line breaks
    bad = undecodable_at(text)
    if bad is None:
        yield Record(1, text=text)
    else:
        yield Record(1, error=NOT_UTF8_AT.format(offset=len(text[:bad].encode("utf-8", "surrogateescape"))))
