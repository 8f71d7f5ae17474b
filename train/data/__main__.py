"""python -m train.data validate DATA_DIR: the training loader's own checks on the labelled
sentences (train/validation/test.jsonl) and, when DATA_DIR has articles/, on the whole articles;
every error names file and line. Prints the counts by label, split and metadata field."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from indosec.labels import LABELS
from indosec.lengths import MAX_WORDS, MIN_WORDS
from train.config import ConfigError, DataArgs
from train.data.articles import article_paths, validate_article_files
from train.data.sentences import validate
from train.data.validation import DataError
from train.render.tables import counts_table


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
        split_fields = {s: [r.fields for r in rows] for s, rows in
                        validate(DataArgs(data_dir=str(args.data_dir), min_words=args.min_words, max_words=args.max_words)).items()}
        article_rows = validate_article_files(article_paths(article_dir), LABELS) if article_dir.is_dir() else None
    except (DataError, ConfigError) as e:
        print(e, file=sys.stderr)
        return 1
    present = {k for rows in split_fields.values() for f in rows for k in f}
    print(_table(split_fields, "label"), end="\n\n")
    for column in ("theatre", "register", "hard"):
        if column in present:
            print(_table(split_fields, column, by="label"), end="\n\n")
    if article_rows is not None:
        sentences = {s: [{"label": x["label"], "outlet_style": r.fields["outlet_style"]} for r in rows for x in r.fields["sentences"]]
                     for s, rows in article_rows.items()}
        print(f"Articles in {article_dir}: " + ", ".join(f"{s} {len(rows)}" for s, rows in article_rows.items()), end="\n\n")
        print(_table(sentences, "label"), end="\n\n")
        print(_table(sentences, "outlet_style", by="label"), end="\n\n")
    print(f"OK: {sum(map(len, split_fields.values()))} rows in {args.data_dir}"
          + (f", {sum(map(len, sentences.values()))} article sentences in {article_dir}" if article_rows is not None else ""))
    return 0


def _table(split_fields: dict[str, list[dict]], column: str, by: str = "split") -> str:
    """Values of `column` (rows) by split or by another field (columns), with totals."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for split, rows in split_fields.items():
        for f in rows:
            counts[split if by == "split" else str(f.get(by))][str(f.get(column))] += 1
    columns = list(split_fields) if by == "split" else sorted(counts)
    values = sorted({v for c in counts.values() for v in c})
    return counts_table({c: counts[c] for c in columns}, f"{column} \\ {by}", rows=values, total_column=True)


if __name__ == "__main__":
    sys.exit(main())
