"""indosec: label Indonesian security-news sentences.

    import indosec
    clf = indosec.load("outputs/indobert-base")          # folder or Hub id
    clf.predict("Kedua negara sepakat memperkuat kerja sama intelijen.")
    indosec.predict(["...", "..."], model="outputs/indobert-base")   # cached one-liner
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from indosec.classifier import Classifier, Prediction
from indosec.labels import LABELS

__all__ = ["LABELS", "Classifier", "Prediction", "load", "predict"]
__version__ = "0.1.0"


def load(name_or_path: str, *, revision: str | None = None, device: str | None = None, **kwargs) -> Classifier:
    """Load a fine-tuned checkpoint (local folder or Hub id) as a Classifier."""
    return Classifier.from_pretrained(name_or_path, revision=revision, device=device, **kwargs)


@lru_cache(maxsize=4)
def _cached(name_or_path: str, revision: str | None, device: str | None) -> Classifier:
    return load(name_or_path, revision=revision, device=device)


def predict(
    texts: str | Sequence[str], *, model: str, revision: str | None = None, device: str | None = None
) -> Prediction | list[Prediction]:
    """One-line form of `load(model).predict(texts)`; the loaded model is cached."""
    return _cached(model, revision, device).predict(texts)
