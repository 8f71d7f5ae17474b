"""Render a checkpoint's README.md (its model card) from the run's own config and numbers."""

from __future__ import annotations

from collections import Counter

import yaml

WIDGET_EXAMPLES = [
    "Indonesia dan Australia sepakat memperkuat pertukaran informasi intelijen untuk menangkal terorisme.",
    "Sebuah bom mobil meledak di dekat pos pemeriksaan di Idlib, menewaskan sedikitnya tujuh orang.",
    "Beijing kembali menegaskan bahwa perairan di sekitar Kepulauan Natuna merupakan wilayah penangkapan ikan tradisionalnya.",
]


def render_card(cfg, metrics: dict, splits: dict[str, list[dict]]) -> str:
    labels = list(cfg.data.labels)
    test = metrics["test"]
    meta = {
        "language": ["id"],
        "license": "apache-2.0",
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "tags": ["indonesian", "security", "news", "text-classification"],
        "base_model": cfg.model.model_name_or_path,
        "metrics": ["accuracy", "f1"],
        "widget": [{"text": t} for t in WIDGET_EXAMPLES],
        "model-index": [{
            "name": cfg.train.run_name,
            "results": [{
                "task": {"type": "text-classification", "name": "Text Classification"},
                "dataset": {"type": "indosec-sentences", "name": "indosec labelled sentences", "split": "test"},
                "metrics": [
                    {"type": "accuracy", "value": round(test["accuracy"], 4), "name": "Accuracy"},
                    {"type": "f1", "value": round(test["macro_f1"], 4), "name": "Macro F1", "args": {"average": "macro"}},
                ],
            }],
        }],
    }
    counts = {s: Counter(labels[e["label"]] for e in ex) for s, ex in splits.items()}
    rows = "\n".join(
        f"| {lab} | {test['per_class'][lab]['precision']:.3f} | {test['per_class'][lab]['recall']:.3f} | "
        f"{test['per_class'][lab]['f1']:.3f} | {test['per_class'][lab]['support']} |"
        for lab in labels
    )
    data_rows = "\n".join(f"| {lab} | " + " | ".join(str(counts[s][lab]) for s in counts) + " |" for lab in labels)
    t = cfg.train
    return f"""---
{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()}
---

# {t.run_name}: Indonesian security-news sentence classifier

Fine-tuned from `{cfg.model.model_name_or_path}` to label Indonesian news sentences as
{", ".join(f"`{x}`" for x in labels)}.

## Use

```python
import indosec
clf = indosec.load("<this folder or Hub id>")
clf.predict("Kedua negara sepakat memperkuat kerja sama intelijen.")
```

or with plain transformers: `pipeline("text-classification", model="<this folder or Hub id>")`.

Intended users are analysts and researchers monitoring Indonesian-language media on conflict
and terrorism. Not for automated decisions about individuals without human review.

## Evaluation (test split, {sum(counts["test"].values())} sentences)

Accuracy **{test['accuracy']:.3f}**, macro-F1 **{test['macro_f1']:.3f}** (validation macro-F1 {metrics['validation']['macro_f1']:.3f}).

| label | precision | recall | F1 | support |
|---|---|---|---|---|
{rows}

## Training data

| label | {" | ".join(counts)} |
|---|{"---|" * len(counts)}
{data_rows}

## Training

backbone `{cfg.model.model_name_or_path}`, max_length {cfg.model.max_length}, learning rate {t.learning_rate},
batch size {t.per_device_train_batch_size}, epochs {t.num_train_epochs}, warmup ratio {t.warmup_ratio},
weight decay {t.weight_decay}, class weights {t.class_weights}, seed {t.seed}; best checkpoint by validation macro-F1.
"""
