"""Contrastive training data (`data/contrastive/{train,validation}.jsonl`): minimal pairs and
small groups of sentences that share most of their words but take different labels under
data/GUIDELINES.md, written so that the words alone do not decide. They join the sentence
train and validation splits (`train.data.splits`); the contrast suite tests the same rules on
other stories and wording.

A row has the sentence fields (`train.data.sentences`) plus `rule`, an id of the suite's
catalogue (data/contrast/rules.jsonl). `story` names the group: a group never spans two splits,
and its members may nearly repeat each other (nowhere else may two sentences).
"""

from __future__ import annotations

from pathlib import Path

from indosec.lengths import MAX_WORDS, MIN_WORDS
from indosec.records import Row
from train.data.sentences import CORE_FIELDS, META_FIELDS, check_dataset, check_row
from train.data.validation import SPLITS, raise_problems, read_labelled

CONTRASTIVE_SPLITS = ("train", "validation")  # the suite is the test: no contrastive test split


def contrastive_paths(contrastive_dir: str | Path) -> dict[str, Path]:
    return {split: Path(contrastive_dir) / f"{split}.jsonl" for split in CONTRASTIVE_SPLITS}


def validate_contrastive(
    contrastive_dir: str | Path, sentence_rows: dict[str, list[Row]], labels, *, rules=None,
    min_words: int = MIN_WORDS, max_words: int = MAX_WORDS,
) -> dict[str, list[Row]]:
    """Read and check the contrastive files, row by row and together with the (already
    validated) sentence splits: ids, duplicates and stories across both; DataError listing
    every problem. `rules`: the catalogue the `rule` field must come from."""
    split_rows, problems = {}, []
    for split, path in contrastive_paths(contrastive_dir).items():
        rows, errors = read_labelled(path)
        problems += errors
        for r in rows:
            problems += check_row(r, labels, required=CORE_FIELDS + META_FIELDS + ("rule",), min_words=min_words, max_words=max_words, allowed=("rule",))
            if rules is not None and r.fields.get("rule") not in rules:
                problems.append(f"{r.where}: unknown rule {r.fields.get('rule')!r} (not in the contrast suite's rules.jsonl)")
        split_rows[split] = rows
    problems += check_dataset(split_rows, against={s: sentence_rows.get(s, []) for s in SPLITS})
    raise_problems(problems, "contrastive data")
    return split_rows
