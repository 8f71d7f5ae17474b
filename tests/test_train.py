import json
import math

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import tiny_config
from train.run import train


def test_tiny_run_writes_a_complete_checkpoint(tiny_run):
    run_dir, metrics = tiny_run
    names = {p.name for p in run_dir.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md", "metrics.json", "run_info.json", "report"} <= names
    assert "training_config.json" not in names and not (run_dir / "report" / "metrics.json").exists()  # each written once
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names), "no pickles in a shared checkpoint"
    assert not run_dir.with_name(run_dir.name + ".partial").exists()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["id2label"] == {"0": "security_cooperation", "1": "attack", "2": "territorial_claim", "3": "propaganda", "4": "other"}
    assert load_file(run_dir / "model.safetensors")


def test_checkpoint_files_are_readable_by_others(tiny_run):
    """transformers writes model.safetensors as 0600; a checkpoint on a shared GPU box must not hide it."""
    run_dir, _ = tiny_run
    for path in [run_dir, *run_dir.rglob("*")]:
        assert path.stat().st_mode & 0o044 == 0o044, path


def test_tiny_run_metrics_are_finite_and_saved(tiny_run):
    run_dir, metrics = tiny_run
    saved = json.loads((run_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    for m in (saved["model"], saved["training"]["validation"]):  # test, then validation
        assert all(math.isfinite(m[k]) and 0 <= m[k] <= 1 for k in ("accuracy", "macro_f1", "weighted_f1"))
        assert set(m["per_class"]) == set(config_labels(run_dir))
        assert sum(map(sum, m["confusion_matrix"])) == sum(v["support"] for v in m["per_class"].values())


def test_tokenizer_is_saved_with_the_trained_max_length(tiny_run):
    run_dir, _ = tiny_run
    assert json.loads((run_dir / "tokenizer_config.json").read_text())["model_max_length"] == 64


def test_class_weights_and_a_rerun_replace_the_old_checkpoint(tiny_bert, tmp_path):
    cfg = tiny_config(tiny_bert, tmp_path, "train.class_weights=true", "train.max_steps=3", "train.eval_steps=3")
    first = train(cfg)
    second = train(cfg)
    assert math.isfinite(first["model"]["macro_f1"]) and math.isfinite(second["model"]["macro_f1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]


def config_labels(run_dir):
    return json.loads((run_dir / "config.json").read_text())["label2id"].keys()


def test_frozen_embeddings_stay_as_pretrained(tiny_bert, tmp_path):
    cfg = tiny_config(tiny_bert, tmp_path, "model.freeze_embeddings=true", "train.max_steps=3", "train.eval_steps=3")
    train(cfg)
    trained = load_file(cfg.train.run_dir / "model.safetensors")
    pretrained = load_file(tiny_bert / "model.safetensors")
    name = "embeddings.word_embeddings.weight"
    assert (trained[f"bert.{name}"] == pretrained[name]).all()
    assert not (trained["bert.embeddings.LayerNorm.weight"] == pretrained["embeddings.LayerNorm.weight"]).all()


def test_a_training_arguments_key_the_project_never_names_reaches_the_trainer(tiny_bert, tmp_path, monkeypatch):
    seen = {}

    class Built(Exception):
        pass

    def trainer(*, args, **kwargs):
        seen["args"] = args
        raise Built

    monkeypatch.setattr("train.run.Trainer", trainer)
    cfg = tiny_config(tiny_bert, tmp_path, "train.adam_beta2=0.98", "train.label_smoothing_factor=0.1", "train.warmup_steps=0.1")
    with pytest.raises(Built):
        train(cfg)
    args = seen["args"]
    assert args.adam_beta2 == 0.98 and args.label_smoothing_factor == 0.1
    assert args.get_warmup_steps(100) == 10 and args.output_dir == str(tmp_path / "tiny.partial")


def test_eval_subsets_are_the_same_rows_under_every_run_seed():
    """`--seeds N` compares initialisations on one test set: only the train sample follows train.seed."""
    from train.run import sample_splits

    splits = {s: list(range(100)) for s in ("train", "validation", "test")}
    one, two = sample_splits(splits, 10, 20, seed=1), sample_splits(splits, 10, 20, seed=2)
    assert one["validation"] == two["validation"] and one["test"] == two["test"] and len(one["test"]) == 20
    assert one["train"] != two["train"] and len(one["train"]) == 10
    assert one["test"] == sorted(one["test"]) and sample_splits(splits, None, None, seed=1) == splits


def test_the_loss_is_a_mean_over_the_whole_accumulation_step():
    from train.run import classification_loss

    torch.manual_seed(0)
    logits, labels = torch.randn(4, 3, requires_grad=True), torch.tensor([0, 1, 1, 2])
    loss = classification_loss([0, 0, 0, 1, 2], 3, class_weights=True)  # label 0 frequent: weight 5/9, others 5/3
    weights = torch.tensor([5 / 9, 5 / 3, 5 / 3])
    by_hand = (weights[labels] * torch.nn.functional.cross_entropy(logits, labels, reduction="none")).mean()
    assert torch.allclose(loss({"logits": logits}, labels), by_hand)
    (whole,) = torch.autograd.grad(loss({"logits": logits}, labels, num_items_in_batch=4), logits)
    halves = loss({"logits": logits[:2]}, labels[:2], num_items_in_batch=4) + loss({"logits": logits[2:]}, labels[2:], num_items_in_batch=4)
    assert torch.allclose(torch.autograd.grad(halves, logits)[0], whole)


def _one_sgd_step(tiny_bert, tmp_path, *, batch, accumulation, class_weights):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

    from train.run import classification_loss, tokenize

    examples = [{"text": t, "label": k} for k, t in enumerate(["Serangan bom di pasar.", "Latihan bersama angkatan laut.",
                                                                  "Klaim wilayah perairan Natuna.", "Berita cuaca hari ini cerah sekali."])]
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    set_seed(0)  # the same fresh classification head in both runs
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=5, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    args = TrainingArguments(
        output_dir=str(tmp_path), per_device_train_batch_size=batch, gradient_accumulation_steps=accumulation, max_steps=1,
        optim="sgd", learning_rate=1.0, lr_scheduler_type="constant", weight_decay=0.0, max_grad_norm=0.0, save_strategy="no",
        report_to="none", use_cpu=True, train_sampling_strategy="sequential", average_tokens_across_devices=False, logging_steps=1,
    )
    trainer = Trainer(model=model, args=args, train_dataset=tokenize(examples, tokenizer, 64), data_collator=DataCollatorWithPadding(tokenizer),
                      compute_loss_func=classification_loss([0, 0, 1, 2, 3, 4], 5, class_weights=class_weights))
    trainer.train()
    return {name: p.detach().clone() for name, p in model.named_parameters()}, trainer.state.log_history[0]["loss"]


@pytest.mark.parametrize("class_weights", [True, False])
def test_two_accumulated_batches_of_two_step_like_one_batch_of_four(tiny_bert, tmp_path, class_weights):
    """Plain SGD, so a loss scaled by the accumulation steps would show as a scaled step."""
    from transformers import AutoModelForSequenceClassification

    start = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=5)
    accumulated, accumulated_loss = _one_sgd_step(tiny_bert, tmp_path / "a", batch=2, accumulation=2, class_weights=class_weights)
    whole, whole_loss = _one_sgd_step(tiny_bert, tmp_path / "b", batch=4, accumulation=1, class_weights=class_weights)
    assert accumulated_loss == pytest.approx(whole_loss, rel=1e-5)
    for name, value in whole.items():
        assert torch.allclose(accumulated[name], value, atol=1e-6), name
    encoder = "bert.encoder.layer.0.output.dense.weight"
    assert not torch.allclose(whole[encoder], dict(start.named_parameters())[encoder])  # the step moved the weights


def test_selection_and_the_reported_scores_differ_only_on_sentences_over_max_length(tiny_run, tmp_path):
    """The Trainer picks the best checkpoint on sentences cut at max_length tokens; the reported
    numbers (indosec.Classifier) score a longer sentence over windows. Same logits otherwise."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments

    from indosec.backends import TorchBackend
    from indosec.classifier import Classifier
    from indosec.text import normalize_text
    from tests.conftest import ROOT
    from train.run import tokenize

    run_dir, metrics = tiny_run
    log = json.loads((run_dir / "train_log.json").read_text())
    assert metrics["training"]["selection_macro_f1"] == max(e["eval_macro_f1"] for e in log if "eval_macro_f1" in e)
    tokenizer, model = AutoTokenizer.from_pretrained(run_dir), AutoModelForSequenceClassification.from_pretrained(run_dir)
    rows = [json.loads(line) for line in (ROOT / "data" / "validation.jsonl").read_text(encoding="utf-8").splitlines()[:48]]
    examples = [{"text": normalize_text(r["text"]), "label": model.config.label2id[r["label"]]} for r in rows]
    max_length = 24  # short, so that both kinds of sentence occur
    args = TrainingArguments(output_dir=str(tmp_path), per_device_eval_batch_size=8, report_to="none", use_cpu=True)
    truncated = Trainer(model=model, args=args, data_collator=DataCollatorWithPadding(tokenizer)).predict(tokenize(examples, tokenizer, max_length)).predictions
    windowed = Classifier(TorchBackend(model), tokenizer, model.config, max_length=max_length).logits([e["text"] for e in examples])
    long = np.array([len(tokenizer(e["text"])["input_ids"]) > max_length for e in examples])
    assert long.any() and (~long).any()
    np.testing.assert_allclose(windowed[~long], truncated[~long], atol=1e-5)
    assert not np.allclose(windowed[long], truncated[long], atol=1e-3)
