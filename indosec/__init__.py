"""indosec: label Indonesian security-news sentences.

`indosec.load` is the way to load a checkpoint (its docstring lists the options);
`indosec.predict` is a cached shortcut over it.

    import indosec
    clf = indosec.load("outputs/indobert-base")          # folder or Hub id
    clf.predict("Kedua negara sepakat memperkuat kerja sama intelijen.")
    clf.predict(["...", "..."], threshold=0.6)           # label None below 0.6
    clf.predict_document(open("artikel.txt").read())     # sentences, offsets, summary
    indosec.load("outputs/indobert-base", fast=True)     # int8 ONNX Runtime on the CPU
    indosec.predict(["...", "..."], model="outputs/indobert-base")   # cached one-liner
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from indosec.classifier import Classifier, load
from indosec.labels import LABELS
from indosec.results import DocumentPrediction, LabelSummary, Prediction, SentencePrediction

__all__ = [
    "LABELS", "Classifier", "DocumentPrediction", "LabelSummary", "Prediction", "SentencePrediction", "load", "predict",
]
__version__ = "0.1.0"


@lru_cache(maxsize=4)
def _cached(name_or_path: str, revision: str | None, device: str | None, fast: bool) -> Classifier:
    return load(name_or_path, revision=revision, device=device, fast=fast)


def predict(
    texts: str | Sequence[str],
    *,
    model: str,
    revision: str | None = None,
    device: str | None = None,
    fast: bool = False,
    threshold: float | None = None,
) -> Prediction | list[Prediction]:
    """One-line form of `load(model, ...).predict(texts)`; the loaded model is cached."""
    return _cached(model, revision, device, fast).predict(texts, threshold=threshold)
