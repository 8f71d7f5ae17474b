"""The Classifier: a fine-tuned checkpoint plus its tokenizer, with `predict` on it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers import AutoConfig, AutoTokenizer

from indosec.backends import Backend, load_torch
from indosec.document import split_sentences
from indosec.labels import label_names
from indosec.lengths import MAX_SENTENCE_CHARS, MAX_TEXT_CHARS, token_limit, window_stride
from indosec.results import (
    DocumentPrediction,
    LabelSummary,
    Prediction,
    SentencePrediction,
    check_threshold,
    document_prediction,
    to_prediction,
)
from indosec.locate import checkpoint_folder
from indosec.text import normalize_text

__all__ = [
    "Classifier", "DocumentPrediction", "LabelSummary", "Prediction", "SentencePrediction", "check_device", "check_text", "load",
]

# Sentences sorted by token length together (see Classifier.logits); the CLI reads files in
# chunks of this size. Larger windows pad less but hold more and write less often.
SORT_WINDOW = 1024


class Classifier:
    """A sequence-classification model with the label names from its `config.json`.

    Build one with `indosec.load(...)`; the constructor is for a model already in memory
    (training evaluates its best model with `Classifier(TorchBackend(model), tokenizer, model.config)`).

    What `predict` does with unusual input (tests/test_bad_input.py holds each case):
    - not a string (None, bytes, numbers) → TypeError naming the item's index;
    - empty, whitespace-only, or nothing left after removing control characters →
      ValueError naming the index (there is nothing to label; callers reading files skip
      blank lines themselves, as the CLI does);
    - longer than `max_chars` characters (`indosec.lengths.MAX_TEXT_CHARS` by default) → ValueError naming the index;
      use `predict_document`, which splits long text into sentences;
    - control and zero-width characters are removed and Unicode NFKC-normalised first;
    - emoji and other scripts (Arabic, Chinese, ...) are scored like any text. The model was
      not trained on them, so expect low scores; a `threshold` routes those to a person.
    """

    def __init__(
        self,
        backend: Backend,
        tokenizer,
        config,
        *,
        max_length: int | None = None,
        batch_size: int = 32,
        stride: int | None = None,
        max_chars: int = MAX_TEXT_CHARS,
        sort_window: int = SORT_WINDOW,
    ):
        """`backend`: what runs the model (`indosec.backends`: the torch model or the int8 ONNX
        copy); `config`: the checkpoint's transformers config, the source of the label names
        (id2label), the calibration temperature and the position limit."""
        for name, value in (("batch_size", batch_size), ("sort_window", sort_window)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        self.backend = backend
        self.tokenizer = tokenizer
        self.config = config
        self.batch_size = batch_size
        self.sort_window = sort_window
        # the length policy (tokens per window, overlap) lives in indosec.lengths
        self.max_length = max_length or token_limit(getattr(tokenizer, "model_max_length", None), getattr(config, "max_position_embeddings", None))
        self.stride = window_stride(self.max_length, stride)
        self.max_chars = max_chars
        self.labels: list[str] = label_names(config.id2label)
        # Temperature fitted on the validation split after training (1.0 = uncalibrated);
        # stored in config.json so the checkpoint carries it.
        self.temperature = float(getattr(config, "calibration_temperature", None) or 1.0)

    @property
    def device(self) -> torch.device:
        return self.backend.device

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw (uncalibrated) logits, shape (len(texts), len(labels)), rows in input order.

        Length-aware batching: the input is read in windows of `sort_window` sentences; each
        window is tokenized once, its token sequences sorted by length and cut into batches of
        `batch_size`, each padded only to its own longest sequence; the rows then go back to
        input order. The torch and the fast backend get the same batches.

        A sentence longer than `max_length` tokens is not cut: the tokenizer splits it into
        windows of `max_length` tokens, consecutive windows sharing `stride` tokens, and its
        logits are the mean of the windows' logits weighted by each window's number of tokens
        (so a short last window counts less). Combining logits rather than probabilities keeps
        one calibration for every sentence: probabilities are softmax(logits / temperature)
        whether a sentence took one window or ten. A sentence that fits in one window gets
        exactly the plain model's logits.
        """
        cleaned = self._prepare(texts)
        out = np.zeros((len(cleaned), len(self.labels)), dtype=np.float32)
        for start in range(0, len(cleaned), self.sort_window):
            out[start : start + self.sort_window] = self._score_texts(cleaned[start : start + self.sort_window])
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities: softmax(logits / temperature), rows in input order.
        See `logits` for batching and for sentences longer than `max_length`."""
        scaled = torch.from_numpy(self.logits(texts)) / self.temperature
        return torch.softmax(scaled, dim=-1).numpy()

    def predict(self, texts: str | Sequence[str], *, threshold: float | None = None) -> Prediction | list[Prediction]:
        """Label one sentence (returns a Prediction) or a list (returns a list, input order).

        With a `threshold`, a sentence whose top probability is below it gets label None
        (its score and probabilities are still filled in), so callers can send it to a person.
        Sentences longer than `max_length` tokens are scored over windows: see `predict_proba`.
        """
        threshold = check_threshold(threshold)
        single = isinstance(texts, str)
        probs = self.predict_proba([texts] if single else texts)
        preds = [to_prediction(row, self.labels, threshold) for row in probs]
        return preds[0] if single else preds

    def predict_document(self, text: str, *, threshold: float | None = None, dedupe: bool = True) -> DocumentPrediction:
        """Split an article into sentences (`indosec.document.split_sentences`: datelines,
        bylines, "Baca Juga" links and repeated sentences are left out) and label each one.

        Returns the sentences in reading order with their character offsets into `text`, and
        the article-level answer: which content labels it is about (the article rule of
        `indosec.results.article_labels`), each with its strongest sentences, a
        summary per label, and how many sentences are uncertain. Each sentence is labelled on
        its own (the model does not see its neighbours). An empty article, or one with only
        boilerplate, gives no sentences.
        """
        threshold = check_threshold(threshold)
        spans = split_sentences(text, max_chars=min(MAX_SENTENCE_CHARS, self.max_chars), dedupe=dedupe)
        preds = self.predict([s.text for s in spans], threshold=threshold) if spans else []
        sentences = [
            SentencePrediction(label=p.label, score=p.score, probabilities=p.probabilities, text=s.text, start=s.start, end=s.end)
            for s, p in zip(spans, preds)
        ]
        return document_prediction(sentences, self.labels)

    def _prepare(self, texts: Sequence[str]) -> list[str]:
        if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
            raise TypeError(f"expected a string or a list of strings, got {type(texts).__name__}")
        cleaned = []
        for i, t in enumerate(texts):
            try:
                cleaned.append(check_text(t, max_chars=self.max_chars))
            except TypeError as e:
                raise TypeError(f"item {i} {e}") from None
            except ValueError as e:
                hint = "; split an article with predict_document(), or load with a larger max_chars" if len(t) > self.max_chars else ""
                raise ValueError(f"item {i} {e}{hint}") from None
        return cleaned

    def _score_texts(self, texts: list[str]) -> np.ndarray:
        """Logits for a window of sentences, long ones combined over their token windows."""
        enc = self.tokenizer(
            texts, truncation=True, max_length=self.max_length, stride=self.stride, return_overflowing_tokens=True, padding=False,
        )
        owner = np.asarray(enc.pop("overflow_to_sample_mapping"))
        lengths = np.array([len(ids) for ids in enc["input_ids"]])
        order = np.argsort(lengths, kind="stable")
        window_logits = np.empty((len(owner), len(self.labels)), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            # padded to the batch's own longest sequence, on the tokenizer's side, without tokenizing twice
            batch = self.tokenizer.pad({name: [seqs[r] for r in rows] for name, seqs in enc.items()}, padding=True, return_tensors="pt")
            window_logits[rows] = self.backend.logits(batch)
        weights = lengths.astype(np.float64)
        weighted = np.zeros((len(texts), len(self.labels)))
        np.add.at(weighted, owner, window_logits * weights[:, None])
        return (weighted / np.bincount(owner, weights=weights, minlength=len(texts))[:, None]).astype(np.float32)


def load(
    name_or_path: str, *, revision: str | None = None, device: str | None = None, fast: bool = False,
    threads: int | None = None, **options,
) -> Classifier:
    """Load a fine-tuned checkpoint (local folder or Hub id) as a Classifier: the one way to
    load, re-exported as `indosec.load`.

    Weights load from safetensors only and no remote code is ever run. `device`: cpu, cuda,
    cuda:N or mps (default: cuda when available). fast=True: CPU inference on an int8 copy run
    by ONNX Runtime (`pip install 'indosec[fast]'`); the first load of a checkpoint exports it
    (tens of seconds), later loads read the cached copy (see `indosec.fast`). `threads`: CPU
    threads for the model (fast mode: ONNX Runtime's intra-op threads for this model; torch:
    `torch.set_num_threads`, which is process-wide); default: torch's, the physical cores or
    $OMP_NUM_THREADS. `options` go to `Classifier(...)`: batch_size (default 32, and
    `indosec.fast.FAST_BATCH_SIZE` in fast mode), max_length, stride, max_chars, sort_window.
    """
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    if fast and device not in (None, "cpu"):
        raise ValueError(f"fast=True is a CPU mode; got device={device!r}")
    device = check_device(device)
    folder = checkpoint_folder(name_or_path, revision=revision)  # refuses pickle-only weights and custom code
    config = AutoConfig.from_pretrained(folder, trust_remote_code=False)
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    if fast:
        from indosec.fast import FAST_BATCH_SIZE, load_fast

        backend = load_fast(str(folder), tokenizer, config, threads=threads)
        options.setdefault("batch_size", FAST_BATCH_SIZE)
    else:
        if threads is not None:
            torch.set_num_threads(threads)
        backend = load_torch(folder, config, device)
    return Classifier(backend, tokenizer, config, **options)


def check_device(device: str | None) -> str:
    """The device to run on (None: cuda when available, else cpu), or ValueError saying why
    the asked-for one cannot be used."""
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device {device!r} is not a device name; use cpu, cuda or cuda:N") from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            why = f"this torch ({torch.__version__}) is built without CUDA" if torch.version.cuda is None else "no GPU is visible"
            raise ValueError(f"device {device!r} asked for, but {why}; use cpu, or install a CUDA build of torch")
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise ValueError(f"device {device!r} asked for, but only {torch.cuda.device_count()} GPU(s) are visible")
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {device!r} asked for, but Apple's MPS is not available here; use cpu")
    elif parsed.type not in ("cpu", "mps"):
        raise ValueError(f"device {device!r} is not supported; use cpu, cuda, cuda:N or mps")
    return device


def check_text(text, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The normalised text, or TypeError/ValueError saying what is wrong with it (the
    message reads after "item 3 " or "line 3: ")."""
    if not isinstance(text, str):
        hint = "; decode it first, e.g. data.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"is {type(text).__name__}, expected str{hint}")
    if len(text) > max_chars:
        raise ValueError(f"is {len(text):,} characters long (limit {max_chars:,})")
    cleaned = normalize_text(text)
    if not cleaned:
        raise ValueError("is empty or whitespace only" if not text.strip() else "has nothing left after removing control characters")
    return cleaned

