"""The labels file a review writes (`labels.jsonl`): one line per decision, appended and flushed
the moment it is made, read back through the project's one reader (`indosec.records`).

Each line is a whole article record with the fields of `data/articles/` (`id`, `outlet_style`,
`theatre`, `date`, `story`, `text`, `sentences`) whose `sentences` holds the one reviewed
sentence: `start`, `end` (offsets into `text`), `text`, `label`, `hard`, and the review's own
fields `model_label`, `model_score`, `annotator`, `time` (UTC, ISO 8601) and `checkpoint`. A
user's article has no outlet style, theatre or date: they are null. `story` is the article's
id (an article is its own story), `source` names where it came from (a file and line, or
"pasted article") and `split`, when present, fixes the split training puts it in.

An article's id is a hash of its text, so the same articles opened again get the same ids, and
a review resumes where it stopped. Lines of one article share its id; `train.data.reviewed`
merges them into one article for training and evaluation.

Several writers (two browser tabs, two processes) may share one file: each write holds an
exclusive lock on `<file>.lock`, re-reads what others wrote, and refuses a sentence that is
already done. Undo rewrites the file without that line, atomically (`indosec.files`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from indosec.files import write_bytes_atomic
from indosec.records import Row, read_rows
from indosec.text import normalize_text

ARTICLE_FIELDS = ("id", "outlet_style", "theatre", "date", "story", "text", "sentences")
REVIEW_FIELDS = ("model_label", "model_score", "annotator", "time", "checkpoint")
OPTIONAL_FIELDS = ("source", "split")
SPLIT_NAMES = ("train", "validation", "test")


def article_id(text: str) -> str:
    """A stable id for an article: `a-` and 12 hex digits of the hash of its normalised text."""
    return "a-" + hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()[:12]


def decision(article_text: str, start: int, end: int, label: str, *, model_label: str, model_score: float,
             annotator: str, checkpoint: str, source: str | None = None, article: str | None = None) -> dict:
    """The line one decision appends: the article record with its one reviewed sentence."""
    aid = article or article_id(article_text)
    sentence = {
        "start": start, "end": end, "text": article_text[start:end], "label": label, "hard": False,
        "model_label": model_label, "model_score": round(float(model_score), 6), "annotator": annotator,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "checkpoint": checkpoint,
    }
    record = {"id": aid, "outlet_style": None, "theatre": None, "date": None, "story": aid, "text": article_text, "sentences": [sentence]}
    return record | ({"source": source} if source else {})


def key(record: dict) -> tuple[str, int, int]:
    """What makes a decision unique: the article and the sentence's offsets."""
    s = record["sentences"][0]
    return record["id"], s["start"], s["end"]


def sentence_problems(text: str, sentences: list, labels) -> list[str]:
    """Problems of labelled sentences against their article's text (shared with
    `data/articles/`): offsets in order and inside the text, text matching them, a known label."""
    problems, last_end = [], 0
    for k, s in enumerate(sentences, 1):
        where = f"sentence {k}"
        if not isinstance(s, dict) or not all(isinstance(s.get(x), int) and not isinstance(s.get(x), bool) for x in ("start", "end")):
            problems.append(f"{where}: needs integer start and end")
            continue
        if not last_end <= s["start"] < s["end"] <= len(text):
            problems.append(f"{where}: offsets {s['start']}-{s['end']} out of order or outside the text ({len(text)} characters)")
        elif "text" in s and s["text"] != text[s["start"]:s["end"]]:
            problems.append(f"{where}: text does not match the article at {s['start']}-{s['end']}")
        if s.get("label") not in labels:
            problems.append(f"{where}: unknown label {s.get('label')!r} (expected one of {', '.join(labels)})")
        if not isinstance(s.get("hard", False), bool):
            problems.append(f"{where}: hard={s.get('hard')!r}, expected true or false")
        last_end = max(last_end, s["end"])
    return problems


def check_decision(row: Row, labels) -> list[str]:
    """Problems of one line of a labels file, each `file:line: what`."""
    f = row.fields
    missing = [k for k in ("id", "story", "text", "sentences") if f.get(k) in (None, "", [])]
    if missing:
        return [f"{row.where}: missing field(s) {', '.join(missing)}"]
    unknown = sorted(set(f) - set(ARTICLE_FIELDS) - set(OPTIONAL_FIELDS))
    problems = [f"unknown field(s) {', '.join(unknown)}"] if unknown else []
    if not isinstance(f["text"], str) or not isinstance(f["sentences"], list):
        return [f"{row.where}: text must be a string and sentences a list"]
    if f.get("split") is not None and f["split"] not in SPLIT_NAMES:
        problems.append(f"split {f['split']!r} is not one of {', '.join(SPLIT_NAMES)}")
    problems += sentence_problems(f["text"], f["sentences"], labels)
    return [f"{row.where}: {f['id']}: {p}" for p in problems]


def read_decisions(path: str | Path, labels) -> tuple[list[Row], list[str]]:
    """The good lines of a labels file (each knows its file and line) and a `file:line: what`
    for every bad one: nothing is dropped without a word."""
    rows, problems = [], []
    for row in read_rows(path, format="jsonl"):
        row = Row(row.line, row.fields, row.error, str(path))
        if row.error is not None:
            problems.append(f"{row.where}: {row.error}")
        elif found := check_decision(row, labels):
            problems += found
        else:
            rows.append(row)
    return rows, problems


class LabelsFile:
    """A labels file open for review: `done` (decision key -> record) follows what every
    writer has written; `append` and `remove` hold the file lock."""

    def __init__(self, path: str | Path, labels):
        self.path, self.labels = Path(path), list(labels)
        self.done: dict[tuple, dict] = {}
        self.problems: list[str] = []
        self._seen: tuple | None = None
        self.refresh()

    def refresh(self) -> None:
        """Re-read the file if anyone changed it since we last read it."""
        stamp = self._stamp()
        if stamp == self._seen:
            return
        rows, self.problems = read_decisions(self.path, self.labels) if self.path.exists() else ([], [])
        self.done = {key(r.fields): r.fields for r in rows}
        self._seen = stamp

    def append(self, record: dict) -> bool:
        """Write one decision at once (flushed to disk); False if that sentence is already done."""
        with self._locked():
            self.refresh()
            if key(record) in self.done:
                return False
            with open(self.path, "ab") as f:
                if f.tell() and not self._ends_with_newline():
                    f.write(b"\n")  # a line cut short by a crash stays a bad line of its own
                f.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            self.done[key(record)] = record
            self._seen = self._stamp()
            return True

    def remove(self, decision_key: tuple) -> bool:
        """Undo: the file without the decision's line, in one atomic rewrite; False if absent."""
        with self._locked():
            self.refresh()
            if decision_key not in self.done:
                return False
            # the line numbers of the one reader; a bad line is kept (reported, never dropped by an undo)
            drop = {row.line for row in read_rows(self.path, format="jsonl") if row.error is None and _key_of(row.fields) == decision_key}
            with open(self.path, encoding="utf-8", errors="surrogateescape", newline="") as f:  # as the reader numbers lines
                kept = "".join(line for n, line in enumerate(f, 1) if n not in drop)
            write_bytes_atomic(self.path, kept.encode("utf-8", errors="surrogateescape"))
            del self.done[decision_key]
            self._seen = self._stamp()
            return True

    def counts(self) -> dict[str, int]:
        """Decisions by label, in label order."""
        counts = dict.fromkeys(self.labels, 0)
        for record in self.done.values():
            counts[record["sentences"][0]["label"]] += 1
        return counts

    def _stamp(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl  # POSIX; the review page runs on the analyst's own Linux or macOS machine

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _key_of(fields: dict) -> tuple | None:
    try:
        return key(fields)
    except (KeyError, IndexError, TypeError):
        return None
