"""What every data source's check shares: reading a labelled file with the product's reader,
reporting problems as `file:line: what`, and the one near-duplicate check.

A data source (sentences, whole articles, the contrast suite, a user's article files) is one
module beside this one: its fields and vocabularies, a check of one row, a check across rows
and splits, and its examples for training or evaluation. It reads its files with
`read_labelled`, lists its problems, and ends with `raise_problems`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from indosec.records import InputError, Row, read_rows

SPLITS = ("train", "validation", "test")
# The conflict theatres of the project's data (sentences and articles). `none`: the sentence
# is about no conflict theatre (sport, bylines, general news).
THEATRES = ("syria_iraq", "indonesia", "philippines", "afghanistan", "yemen", "somalia_sahel",
            "israel_palestine", "russia_ukraine", "south_china_sea", "kashmir", "other", "none")
MAX_LISTED = 10  # problems listed one by one; more are summarised by kind
SHOWN_PER_KIND = 3
MAX_KINDS = 12


class DataError(ValueError):
    """Bad data; the message lists each problem as `file:line: what`."""


def read_labelled(path: str | Path) -> tuple[list[Row], list[str]]:
    """Parse a .jsonl or .csv file with the product's reader (`indosec.records`); returns the
    rows (each knows its file and line) and the parse errors (`file:line: what`)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise DataError(f"{path}: unknown format {path.suffix!r}; use .jsonl or .csv")
    rows, errors = [], []
    try:
        for row in read_rows(path):
            if row.error is not None:
                errors.append(f"{path}:{row.line}: {row.error}")
            else:
                rows.append(dataclasses.replace(row, path=str(path)))
    except InputError as e:  # the CLI's advice (--text-column) does not apply to training data
        raise DataError(e.problem) from None
    return rows, errors


def raise_problems(problems: list[str], what: str = "data") -> None:
    """DataError listing the problems: every one when there are at most MAX_LISTED, else each
    kind (`problem_kind`) with its count and first SHOWN_PER_KIND lines, so that a hundred
    problems of one kind cannot hide the others."""
    if not problems:
        return
    if len(problems) <= MAX_LISTED:
        raise DataError(f"{len(problems)} {what} problem(s):\n" + "\n".join(problems))
    kinds: dict[str, list[str]] = {}
    for p in problems:
        kinds.setdefault(problem_kind(p), []).append(p)
    lines = [f"{len(problems)} {what} problems of {len(kinds)} kind(s), the first {SHOWN_PER_KIND} lines of each:"]
    for kind, of_kind in list(kinds.items())[:MAX_KINDS]:
        lines += [f"{len(of_kind)} x {kind}"] + [f"  {p}" for p in of_kind[:SHOWN_PER_KIND]]
        lines += [f"  ... and {len(of_kind) - SHOWN_PER_KIND} more"] if len(of_kind) > SHOWN_PER_KIND else []
    if len(kinds) > MAX_KINDS:
        rest = list(kinds.values())[MAX_KINDS:]
        lines.append(f"... and {len(rest)} more kind(s), {sum(map(len, rest))} problem(s)")
    raise DataError("\n".join(lines))


def problem_kind(problem: str) -> str:
    """What a problem says, without where and which: `f.jsonl:7: art-3: unknown label 'x'
    (expected ...)` is `unknown label '…'`; numbers become N, places and quoted values …."""
    kind = re.sub(r"^.*?:\d+: ", "", problem, count=1)  # file:line
    kind = re.sub(r"^[^\s:]+: ", "", kind, count=1)  # an article's id, or a file without a line
    kind = re.sub(r"\s*\([^()]*\)$", "", kind)  # (expected one of ...), (first at ...)
    kind = re.sub(r"(?<!\w)(['\"]).*?\1(?!\w)", "'…'", kind)  # quoted values
    kind = re.sub(r"\S+:\d+", "…", kind)  # other places
    return re.sub(r"(?<![A-Za-z]-)\b\d+\b", "N", kind)  # not UTF-8's 8


def near_duplicates(texts: list[str], shingles: Callable[[str], Iterable[Hashable]], threshold: float,
                    first: int | None = None) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, whose shingle sets have a Jaccard similarity of at least
    `threshold`, in order of i then j. Sparse set algebra: every pair at once, not a loop over pairs.
    `first`: only pairs whose i is one of the first `first` texts (a small file checked against
    a large one, whose own pairs are checked elsewhere)."""
    if len(texts) < 2:
        return []
    from sklearn.feature_extraction.text import CountVectorizer

    try:
        grams = CountVectorizer(analyzer=lambda text: set(shingles(text)), binary=True).fit_transform(texts)
    except ValueError:  # not one shingle in any text
        return []
    sizes = grams.sum(axis=1).A1
    shared = (grams[:first] @ grams.T).tocoo()
    i, j, common = shared.row, shared.col, shared.data
    keep = (i < j) & (common / (sizes[i] + sizes[j] - common) >= threshold)
    return sorted(zip(i[keep].tolist(), j[keep].tolist()))
