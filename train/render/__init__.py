"""Stage 3, render: the human-readable views of an evaluation, drawn from its metrics.json (and
predictions.jsonl) alone; no figure is computed here.

    report.py   report.md, confusion_matrix.png, reliability.png: a section per key of metrics.json
    card.py     the model card (README.md): ModelCardData metadata and templates/model_card.md.j2
    plots.py    the two figures
    tables.py   every number format and table, written once
"""

from __future__ import annotations

from pathlib import Path

from indosec.files import write_text_atomic
from train.run_folder import Layout, read_config


def render(checkpoint: str | Path) -> None:
    """report/ and README.md (the model card) of a checkpoint folder, from its own files."""
    # imported here, so that `python -m train.render.card` does not find its module half-imported
    from train.render.card import render_card
    from train.render.report import write_report

    write_report(Layout.of_checkpoint(checkpoint), config=read_config(checkpoint))
    write_text_atomic(Path(checkpoint) / "README.md", render_card(checkpoint))
