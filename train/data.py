"""Read and validate labelled sentences. The training loader (`load_splits`) and the validator
(`python -m train.data validate data/`) run the same function, `validate`; every error names
file and line.

A row is a JSON object (JSON Lines) or a CSV record with at least `id`, `text`, `label`;
the project's own dataset also carries `theatre`, `register`, `story` and `hard`. A metadata
field is optional, but once any row of the dataset has it, every row must, with a value from
its vocabulary (so a dataset with the metadata is checked in full, one without it is not
asked for it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from indosec import records
from indosec.labels import LABELS
from indosec.lengths import MAX_WORDS, MIN_WORDS
from indosec.text import normalize_text
from train.config import ConfigError, DataArgs

CORE_FIELDS = ("id", "text", "label")
META_FIELDS = ("theatre", "register", "story", "hard")
SPLITS = ("train", "validation", "test")
# The project's own metadata vocabularies, checked when the metadata fields are required.
# `none`: the sentence is about no conflict theatre (sport, bylines, general news).
THEATRES = ("syria_iraq", "indonesia", "philippines", "afghanistan", "yemen", "somalia_sahel",
            "israel_palestine", "russia_ukraine", "south_china_sea", "kashmir", "other", "none")
REGISTERS = ("hard_news", "dateline", "quote", "headline", "press_release", "translated_statement",
             "opinion", "extremist_channel", "partisan_site", "boilerplate")
NEAR_DUPLICATE_JACCARD = 0.8
MAX_REPORTED = 30


class DataError(ValueError):
    """Bad data; the message lists each problem as `file:line: what`."""


@dataclass(frozen=True)
class Row:
    fields: dict
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def read_rows(path: str | Path) -> tuple[list[Row], list[str]]:
    """Parse a .jsonl or .csv file with the product's reader (`indosec.records`); returns the
    rows and the parse errors (file:line)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() not in (".jsonl", ".csv"):
        raise DataError(f"{path}: unknown format {path.suffix!r}; use .jsonl or .csv")
    rows, errors = [], []
    try:
        for row in records.read_rows(path):
            if row.error is not None:
                errors.append(f"{path}:{row.line}: {row.error}")
            else:
                rows.append(Row(row.fields, str(path), row.line))
    except records.InputError as e:  # the CLI's advice (--text-column) does not apply to training data
        raise DataError(e.problem) from None
    return rows, errors


def check_row(row: Row, labels, *, required=CORE_FIELDS, min_words=MIN_WORDS, max_words=MAX_WORDS) -> list[str]:
    """Problems of one row on its own: fields, label, text."""
    f, problems = row.fields, []
    missing = [k for k in required if k not in f or f[k] is None]
    extra = sorted(set(f) - set(CORE_FIELDS) - set(META_FIELDS))
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unknown field(s) {', '.join(extra)}")
    if "label" in f and f["label"] is not None and f["label"] not in labels:
        problems.append(f"unknown label {f['label']!r} (expected one of {', '.join(labels)})")
    text = f.get("text")
    if "text" in f and not isinstance(text, str):
        problems.append(f"field text is {type(text).__name__}, expected a string")
    elif isinstance(text, str):
        words = len(text.split())
        if words == 0:
            problems.append("empty text")
        elif not min_words <= words <= max_words:
            problems.append(f"text has {words} words (allowed {min_words}-{max_words})")
    for name, vocab in (("theatre", THEATRES), ("register", REGISTERS)):
        if name in f and f[name] not in vocab:
            problems.append(f"unknown {name} {f[name]!r} (expected one of {', '.join(vocab)})")
    if "hard" in f and not isinstance(f["hard"], bool) and str(f["hard"]).lower() not in ("true", "false"):
        problems.append(f"field hard={f['hard']!r}, expected true or false")
    return [f"{row.where}: {p}" for p in problems]


def _fingerprint(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.casefold())).strip()


def check_dataset(split_rows: dict[str, list[Row]]) -> list[str]:
    """Problems across rows and splits: duplicate ids, exact and near duplicates, stories in two splits."""
    problems = []
    everything = [r for rows in split_rows.values() for r in rows if isinstance(r.fields.get("text"), str)]
    seen_ids: dict[str, Row] = {}
    seen_text: dict[str, Row] = {}
    for r in everything:
        rid = str(r.fields.get("id"))
        if rid in seen_ids:
            problems.append(f"{r.where}: duplicate id {rid!r} (first at {seen_ids[rid].where})")
        seen_ids.setdefault(rid, r)
        fp = _fingerprint(r.fields["text"])
        if fp in seen_text:
            problems.append(f"{r.where}: exact duplicate of {seen_text[fp].where}")
        seen_text.setdefault(fp, r)
    problems += _near_duplicates(everything)
    story_splits = defaultdict(set)
    story_first = {}
    for split, rows in split_rows.items():
        for r in rows:
            story = r.fields.get("story")
            if story:
                story_splits[story].add(split)
                story_first.setdefault((story, split), r)
    for story, splits in sorted(story_splits.items()):
        if len(splits) > 1:
            places = ", ".join(story_first[(story, s)].where for s in sorted(splits))
            problems.append(f"story {story!r} spans splits {sorted(splits)} ({places})")
    return problems


def _near_duplicates(rows: list[Row]) -> list[str]:
    """Pairs whose normalised character 5-gram sets have Jaccard >= 0.8 (sparse set algebra)."""
    if len(rows) < 2:
        return []
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [_fingerprint(r.fields["text"]) or "-" for r in rows]
    grams = CountVectorizer(analyzer="char", ngram_range=(5, 5), binary=True, lowercase=False).fit_transform(texts)
    sizes = grams.sum(axis=1).A1
    inter = (grams @ grams.T).tocoo()
    problems = []
    for i, j, shared in zip(inter.row, inter.col, inter.data):
        if i < j and shared / (sizes[i] + sizes[j] - shared) >= NEAR_DUPLICATE_JACCARD:
            if texts[i] != texts[j]:  # exact duplicates are reported on their own
                problems.append(f"{rows[j].where}: near-duplicate of {rows[i].where}")
    return problems


def validate(data_args: DataArgs) -> dict[str, list[Row]]:
    """The checks of the training loader and of `python -m train.data validate`: the
    train/validation/test files of `data_args`, with its labels and word bounds."""
    paths = {s: data_args.path(s) for s in SPLITS}
    return validate_files(paths, data_args.labels, min_words=data_args.min_words, max_words=data_args.max_words)


def validate_files(split_paths: dict[str, Path], labels=LABELS, *, min_words=MIN_WORDS, max_words=MAX_WORDS) -> dict[str, list[Row]]:
    """Read and check every split; raise DataError listing all problems, else return the rows."""
    split_rows, problems = {}, []
    for split, path in split_paths.items():
        rows, errors = read_rows(path)
        problems += errors
        split_rows[split] = rows
        if not rows and not errors:
            problems.append(f"{path}: no rows")
    present = {k for rows in split_rows.values() for r in rows for k in r.fields}
    required = CORE_FIELDS + tuple(k for k in META_FIELDS if k in present)
    for rows in split_rows.values():
        for r in rows:
            problems += check_row(r, labels, required=required, min_words=min_words, max_words=max_words)
    problems += check_dataset(split_rows)
    raise_problems(problems)
    return split_rows


def raise_problems(problems: list[str], what: str = "data") -> None:
    """DataError listing the first MAX_REPORTED problems and how many more, if any."""
    if problems:
        shown = "\n".join(problems[:MAX_REPORTED])
        more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise DataError(f"{len(problems)} {what} problem(s):\n{shown}{more}")


def to_examples(rows: list[Row], labels) -> list[dict]:
    """Model-ready dicts: normalised text, integer label, and the metadata the reports group by."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    out = []
    for r in rows:
        f = r.fields
        out.append({
            "id": str(f["id"]), "text": normalize_text(f["text"]), "label": label2id[f["label"]],
            **{k: str(f[k]) for k in ("theatre", "register", "story") if k in f},
            **({"hard": f["hard"] is True or str(f["hard"]).lower() == "true"} if "hard" in f else {}),
        })
    return out


def load_splits(data_args) -> dict[str, list[dict]]:
    """Validated train/validation/test examples for a DataArgs (`validate`, then label ids)."""
    return {s: to_examples(rows, data_args.labels) for s, rows in validate(data_args).items()}


def counts_table(split_rows: dict[str, list[Row]], column: str = "label", by: str = "split") -> str:
    """Markdown table: values of `column` (rows) by split or by another field (columns), with totals."""
    rows = [(split, r) for split, rs in split_rows.items() for r in rs]
    key = (lambda split, r: split) if by == "split" else (lambda split, r: str(r.fields.get(by)))
    cols = list(split_rows) if by == "split" else sorted({key(s, r) for s, r in rows})
    counts = Counter((str(r.fields.get(column)), key(s, r)) for s, r in rows)
    values = sorted({v for v, _ in counts})
    lines = [f"| {column} \\ {by} | " + " | ".join(cols) + " | total |", "|" + "---|" * (len(cols) + 2)]
    for v in values:
        cells = [counts[(v, c)] for c in cols]
        lines.append(f"| {v} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    totals = [sum(counts[(v, c)] for v in values) for c in cols]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check train/validation/test.jsonl in a folder")
    v.add_argument("data_dir", type=Path, help="holds train/validation/test.jsonl, and articles/ if present")
    v.add_argument("--min-words", type=int, default=MIN_WORDS)
    v.add_argument("--max-words", type=int, default=MAX_WORDS)
    args = parser.parse_args(argv)
    article_dir = args.data_dir / "articles"
    try:
        # the loader's own check: the same DataArgs a config with this data_dir would build
        split_rows = validate(DataArgs(data_dir=str(args.data_dir), min_words=args.min_words, max_words=args.max_words))
        if article_dir.is_dir():
            from train.articles import article_paths, validate_article_files

            article_rows = validate_article_files(article_paths(article_dir), LABELS)
    except (DataError, ConfigError) as e:
        print(e, file=sys.stderr)
        return 1
    present = {k for rows in split_rows.values() for r in rows for k in r.fields}
    print(counts_table(split_rows, "label"), end="\n\n")
    for column in ("theatre", "register", "hard"):
        if column in present:
            print(counts_table(split_rows, column, by="label"), end="\n\n")
    if article_dir.is_dir():
        sentences = {s: [Row({"label": x["label"], "outlet_style": r.fields["outlet_style"]}, r.path, r.line) for r in rows for x in r.fields["sentences"]]
                     for s, rows in article_rows.items()}
        print(f"Articles in {article_dir}: " + ", ".join(f"{s} {len(rows)}" for s, rows in article_rows.items()), end="\n\n")
        print(counts_table(sentences, "label"), end="\n\n")
        print(counts_table(sentences, "outlet_style", by="label"), end="\n\n")
    print(f"OK: {sum(map(len, split_rows.values()))} rows in {args.data_dir}"
          + (f", {sum(len(r.fields['sentences']) for rows in article_rows.values() for r in rows)} article sentences in {article_dir}" if article_dir.is_dir() else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
