"""The Classifier: a fine-tuned checkpoint plus its tokenizer, with `predict` on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from indosec.safety import checkpoint_folder
from indosec.text import normalize_text

# IndoBERT's Hub tokenizer reports a huge model_max_length; anything above this is not a
# real limit and we fall back to the length sentences were trained with.
_SANE_MAX_LENGTH = 4096
DEFAULT_MAX_LENGTH = 128


@dataclass(frozen=True)
class Prediction:
    """One sentence's result: the top label, its probability, and every class's probability."""

    label: str
    score: float
    probabilities: dict[str, float]


class Classifier:
    """A sequence-classification model with the label names from its `config.json`.

    Build one with `indosec.load(...)` or `Classifier.from_pretrained(...)`.
    """

    def __init__(self, model, tokenizer, *, max_length: int | None = None, batch_size: int = 32):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = max_length or _checkpoint_max_length(tokenizer)
        id2label = model.config.id2label
        self.labels: list[str] = [id2label[i] for i in range(len(id2label))]
        # Temperature fitted on the validation split after training (1.0 = uncalibrated);
        # stored in config.json so the checkpoint carries it.
        self.temperature = float(getattr(model.config, "calibration_temperature", None) or 1.0)

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str,
        *,
        revision: str | None = None,
        device: str | None = None,
        batch_size: int = 32,
    ) -> Classifier:
        """Load a checkpoint folder or Hub id. Weights load from safetensors only and no
        remote code is ever run."""
        folder = checkpoint_folder(name_or_path, revision=revision)  # refuses pickle-only weights and custom code
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False
        )
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        return cls(model.to(device), tokenizer, batch_size=batch_size)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw (uncalibrated) logits, shape (len(texts), len(labels)), rows in input order.

        Sentences are sorted by length and padded per batch, so a batch of short sentences
        is not padded to the longest sentence of the whole input.
        """
        cleaned = [normalize_text(t) for t in _check_texts(texts)]
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        out = np.zeros((len(cleaned), len(self.labels)), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._logits_batch([cleaned[i] for i in idx])
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities: softmax(logits / temperature), rows in input order."""
        scaled = torch.from_numpy(self.logits(texts)) / self.temperature
        return torch.softmax(scaled, dim=-1).numpy()

    def predict(self, texts: str | Sequence[str]) -> Prediction | list[Prediction]:
        """Label one sentence (returns a Prediction) or a list (returns a list, input order)."""
        single = isinstance(texts, str)
        probs = self.predict_proba([texts] if single else texts)
        preds = [self._to_prediction(row) for row in probs]
        return preds[0] if single else preds

    def _to_prediction(self, row: np.ndarray) -> Prediction:
        best = int(row.argmax())
        return Prediction(
            label=self.labels[best],
            score=float(row[best]),
            probabilities={lab: float(p) for lab, p in zip(self.labels, row)},
        )

    @torch.inference_mode()
    def _logits_batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        return self.model(**enc).logits.float().cpu().numpy()


def _checkpoint_max_length(tokenizer) -> int:
    limit = getattr(tokenizer, "model_max_length", None)
    return limit if isinstance(limit, int) and 0 < limit <= _SANE_MAX_LENGTH else DEFAULT_MAX_LENGTH


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise TypeError(f"expected a string or a list of strings, got {type(texts).__name__}")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"item {i} is {type(t).__name__}, expected str")
        if not t.strip():
            raise ValueError(f"item {i} is empty or whitespace only")
    return list(texts)
