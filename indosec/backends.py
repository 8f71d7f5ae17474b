"""What runs the model under a Classifier: the fine-tuned torch model, or its int8 ONNX twin
(`indosec.fast.OnnxBackend`, chosen by `indosec.load(..., fast=True)`).

A backend only turns a tokenized batch into logits. Everything else a Classifier needs (label
names, calibration temperature, position limit) comes from the checkpoint's config.json, read
once by `indosec.load`, so no backend has to carry or imitate a transformers config.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from typing import Protocol

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification
from transformers.utils import logging as hf_logging


class Backend(Protocol):
    """The two things a Classifier asks of the model that runs."""

    @property
    def device(self) -> torch.device:
        """Where the model runs (fast mode: always the CPU)."""
        ...

    def logits(self, encoding: Mapping[str, torch.Tensor]) -> np.ndarray:
        """float32 logits of shape (rows, labels) for a tokenizer's output (CPU tensors)."""
        ...


class TorchBackend:
    """A transformers sequence-classification model, in eval mode, on whatever device it sits."""

    def __init__(self, model):
        self.model = model.eval()

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @torch.inference_mode()
    def logits(self, encoding: Mapping[str, torch.Tensor]) -> np.ndarray:
        device = self.device
        out = self.model(**{name: tensor.to(device) for name, tensor in encoding.items()}).logits
        return out.float().cpu().numpy()


def load_torch(folder, config, device: str) -> TorchBackend:
    """The checkpoint's weights from safetensors only, never running remote code."""
    with quiet_loading():
        model = AutoModelForSequenceClassification.from_pretrained(
            folder, config=config, use_safetensors=True, trust_remote_code=False
        )
    return TorchBackend(model.to(device))


@contextmanager
def quiet_loading():
    """No "Loading weights" progress bar on every load and CLI call (a checkpoint loads in a
    second or two); download bars, which come before, are left as the user set them."""
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()
