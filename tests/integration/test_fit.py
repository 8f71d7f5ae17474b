"""fit around the Trainer, on the tiny models: TrainingArguments reach the Trainer as written, an
accumulated step is one big batch, the time estimate changes nothing, and the Trainer's choice
of checkpoint and the reported scores see the same logits."""

import json
import random

import numpy as np
import pytest
import torch

from tests.conftest import ROOT, tiny_config
from train.fit import fit
from train.run_folder import RunFolder


def test_a_training_arguments_key_the_project_never_names_reaches_the_trainer(tiny_bert, tmp_path, monkeypatch):
    seen = {}

    class Built(Exception):
        pass

    def trainer(*, args, **kwargs):
        seen["args"], seen["loss"] = args, kwargs["compute_loss_func"]
        raise Built

    monkeypatch.setattr("train.fit.Trainer", trainer)
    cfg = tiny_config(tiny_bert, tmp_path, "train.adam_beta2=0.98", "train.label_smoothing_factor=0.1", "train.warmup_steps=0.1")
    with pytest.raises(Built):
        fit(cfg, RunFolder(cfg.train.run_dir))
    args = seen["args"]
    assert args.adam_beta2 == 0.98 and args.label_smoothing_factor == 0.1
    # and the project's loss applies it (the Trainer's own smoother is skipped when a loss is given):
    # a confident right answer costs about 0.001 unsmoothed, far more smoothed
    assert seen["loss"]({"logits": torch.tensor([[8.0, 0.0, 0.0, 0.0, 0.0]])}, torch.tensor([0])) > 0.05
    assert args.get_warmup_steps(100) == 10 and args.output_dir == str(tmp_path / "tiny.partial")


def _one_sgd_step(tiny_bert, tmp_path, *, batch, accumulation, class_weights):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

    from train.fit import classification_loss, tokenize

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
    from train.fit import tokenize

    run_dir, metrics = tiny_run.run_dir, tiny_run.metrics
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
    assert not np.allclose(windowed[long], truncated[long], rtol=0, atol=1e-6)  # the tiny model's logits move little


def test_the_estimate_measures_a_few_batches_and_changes_nothing(tiny_bert, tmp_path):
    """Run before training on the real Trainer: no weight moves and every random state is as it was,
    so a run with the estimate trains exactly as one without it would."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments

    from train.run_plan import describe_estimate, estimate_training
    from train.fit import tokenize

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert, num_labels=5)
    rows = [json.loads(line) for line in (ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()[:80]]
    examples = [{"text": r["text"], "label": k % 5} for k, r in enumerate(rows)]
    args = TrainingArguments(output_dir=str(tmp_path), per_device_train_batch_size=16, num_train_epochs=2, report_to="none", use_cpu=True)
    trainer = Trainer(model=model, args=args, train_dataset=tokenize(examples, tokenizer, 64), data_collator=DataCollatorWithPadding(tokenizer))
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    states = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    estimate = estimate_training(trainer, eval_sentences=40)
    assert all(torch.equal(before[name], p) for name, p in model.named_parameters())
    assert random.getstate() == states[0] and (np.random.get_state()[1] == states[1]).all() and torch.equal(torch.get_rng_state(), states[2])
    assert estimate["steps"] == 2 * 5 and estimate["minutes"] > 0 and estimate["peak_gb"] > 0
    assert describe_estimate(estimate, "cpu").startswith("Expected: about")
