from pathlib import Path

import pytest

from transformers import TrainingArguments

from tests.conftest import ROOT
from train.config import Config, ConfigError, load_config

CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def test_there_are_configs():
    assert {p.name for p in CONFIGS} >= {"indobert-base.yaml", "quickstart.yaml", "tiny.yaml"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_config_loads_and_opens_with_its_command(path):
    cfg = load_config([path])
    assert isinstance(cfg, Config)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# python -m train"), f"{path.name} must open with the command that runs it"
    assert str(path.relative_to(path.parents[1])) in first


def test_indobert_config_is_the_real_run():
    cfg = load_config(["configs/indobert-base.yaml"])
    assert cfg.model.model_name_or_path == "indobenchmark/indobert-base-p1"
    assert cfg.model.max_length == 128
    assert cfg.train.precision == "auto" and cfg.train.early_stopping_patience > 0
    assert cfg.data.labels == ["security_cooperation", "attack", "territorial_claim", "propaganda", "other"]


def test_the_long_cpu_config_is_the_quickstart_with_more_epochs():
    quick, long = (load_config([ROOT / "configs" / f"{name}.yaml"]) for name in ("quickstart", "quickstart-long"))
    assert long.model == quick.model and long.data == quick.data
    differ = {k for k, v in long.train.to_dict().items() if quick.train.to_dict()[k] != v}
    assert differ == {"run_name", "num_train_epochs", "early_stopping_patience"}
    assert long.train.num_train_epochs == 2 * quick.train.num_train_epochs


def test_overrides_are_typed():
    cfg = load_config([], ["train.learning_rate=2e-5", "train.eval_steps=50", "train.class_weights=true", "data.max_train_samples=null"])
    assert cfg.train.learning_rate == 2e-5 and cfg.train.eval_steps == 50
    assert cfg.train.class_weights is True and cfg.data.max_train_samples is None


@pytest.mark.parametrize(
    "override, named",
    [
        ("train.lr=1e-3", "train.lr"),
        ("trainer.seed=1", "trainer"),
        ("train.learning_rate=fast", "train.learning_rate"),
        ("train.learning_rate=-1", "train.learning_rate"),
        ("train.precision=int4", "train.precision"),
        ("train.resume=maybe", "train.resume"),
        ("model.max_length=4", "model.max_length"),
        ("model.max_length=1.5", "model.max_length"),
        ("train.warmup_steps=-1", "train.warmup_steps"),
        ("train.lr_scheduler_type=sometimes", "train.lr_scheduler_type"),
        ("train.adam_beta2=high", "train.adam_beta2"),
        ("train.run_name=a/b", "train.run_name"),
        ("data.labels=[a, a]", "data.labels"),
        ("seed=1", "section.key=value"),
    ],
)
def test_bad_values_are_rejected_with_the_key(override, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.").replace("[", r"\[")):
        load_config([], [override])


def test_bad_yaml_key_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  learning_rat: 1.0e-4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml.*train\.learning_rat"):
        load_config([bad])


def test_later_files_and_overrides_win(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("train:\n  seed: 1\n  learning_rate: 1.0e-4\n", encoding="utf-8")
    b.write_text("train:\n  seed: 2\n", encoding="utf-8")
    cfg = load_config([a, b], ["train.learning_rate=5e-5"])
    assert cfg.train.seed == 2 and cfg.train.learning_rate == 5e-5


def test_quickstart_trains_the_bundled_multilingual_backbone():
    from train.backbones.multilingual_e5 import NAMES, PREFIX

    quick, hub = (load_config([f"configs/{name}.yaml"]) for name in ("quickstart", "multilingual-e5-small"))
    assert quick.model.model_name_or_path.startswith(PREFIX) and quick.model.model_name_or_path[len(PREFIX):] in NAMES
    assert hub.model.model_name_or_path == "intfloat/multilingual-e5-small"
    same = lambda c: (c.model.max_length, c.model.freeze_embeddings, c.model.freeze_layers, c.model.lowercase,  # noqa: E731
                      c.data.contrastive_dir, c.data.contrast_dir, c.train.learning_rate, c.train.num_train_epochs)
    assert same(hub) == same(quick)


def test_an_unknown_train_key_suggests_the_close_ones_and_says_where_the_rest_are():
    with pytest.raises(ConfigError) as e:
        load_config([], ["train.learning_rat=1e-4"])
    message = str(e.value)
    assert message.startswith("override: unknown key train.learning_rat (did you mean learning_rate?")
    assert "early_stopping_patience" in message and "help(transformers.TrainingArguments)" in message
    assert "adam_beta2" not in message  # not all 100+ TrainingArguments fields


@pytest.mark.parametrize("override, reason", [
    ("train.load_best_model_at_end=false", "best validation macro-F1"),
    ("train.metric_for_best_model=loss", "best validation macro-F1"),
    ("train.bf16=true", "set train.precision"),
    ("train.average_tokens_across_devices=true", "batch mean"),
])
def test_an_argument_the_project_fixes_is_refused_with_the_reason(override, reason):
    key = override.partition("=")[0]
    with pytest.raises(ConfigError, match=f"override: {key} is set by the project and cannot be changed: .*{reason}"):
        load_config([], [override])


def test_training_arguments_keys_pass_through_typed(tmp_path):
    """Any TrainingArguments field is accepted, typed by its annotation (YAML reads 1e-6 as a
    string), and reaches TrainingArguments with the project's fixed choices on top."""
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  adam_epsilon: 1e-6\n  lr_scheduler_type: cosine\n  eval_steps: 50\n", encoding="utf-8")
    cfg = load_config([path], ["train.label_smoothing_factor=0.1", "train.warmup_steps=0.25"])
    assert cfg.train.training_arguments == {"adam_epsilon": 1e-6, "lr_scheduler_type": "cosine", "eval_steps": 50, "label_smoothing_factor": 0.1, "warmup_steps": 0.25}
    args = TrainingArguments(**cfg.train.trainer_kwargs("out"))
    assert args.adam_epsilon == 1e-6 and args.label_smoothing_factor == 0.1 and args.lr_scheduler_type == "cosine"
    assert args.get_warmup_steps(200) == 50  # below 1: a fraction of the total steps
    assert (args.eval_strategy, args.save_strategy, args.save_steps) == ("steps", "steps", 50)  # eval_steps moves both
    assert args.load_best_model_at_end and args.metric_for_best_model == "macro_f1" and args.greater_is_better
    assert args.learning_rate == 3e-5 and args.train_sampling_strategy == "group_by_length"  # project defaults
    assert cfg.train.learning_rate == 3e-5 and cfg.train.adam_beta1 == 0.9  # attribute reads: project, then transformers' default
    assert cfg.to_dict()["train"]["adam_epsilon"] == 1e-6 and "training_arguments" not in cfg.to_dict()["train"]
