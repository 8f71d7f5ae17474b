"""The session checkpoint, made by `train.pipeline.run` (tests/conftest.py): a complete folder in
one rename, every stage's files, and the options the run switched on (class weights, frozen
embeddings, gradient checkpointing and accumulation) at work."""

import json
import math

import pytest
from safetensors.torch import load_file
from scipy.special import softmax

import indosec
from tests.conftest import ROOT, SESSION_OVERRIDES, tiny_config
from train.config import ConfigError
from train.data.articles import article_paths, validate_article_files
from train.pipeline import run
from train.run_plan import choose_precision
from train.render.report import REPORT_FILES

LABEL_IDS = {"0": "security_cooperation", "1": "attack", "2": "territorial_claim", "3": "propaganda", "4": "other"}


def test_the_run_folder_is_complete_and_appeared_in_one_rename(tiny_run):
    run_dir = tiny_run.run_dir
    names = {p.name for p in run_dir.iterdir()}
    assert names == {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "README.md", "metrics.json",
                     "run_info.json", "train_log.json", "report"}  # no pickles, no training_args.bin, each file once
    assert sorted(p.name for p in (run_dir / "report").iterdir()) == sorted(set(REPORT_FILES) - {"metrics.json"})
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["tiny"]  # no .partial, staging or .old left behind
    assert json.loads((run_dir / "config.json").read_text())["id2label"] == LABEL_IDS


def test_checkpoint_files_are_readable_by_others(tiny_run):
    """transformers writes model.safetensors as 0600; a checkpoint on a shared GPU box must not hide it."""
    for path in [tiny_run.run_dir, *tiny_run.run_dir.rglob("*")]:
        assert path.stat().st_mode & 0o044 == 0o044, path


def test_metrics_are_finite_and_the_ones_returned(tiny_run):
    saved = json.loads((tiny_run.run_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(tiny_run.metrics))
    for m in (saved["model"], saved["baseline"], saved["training"]["validation"]):
        assert all(math.isfinite(m[k]) and 0 <= m[k] <= 1 for k in ("accuracy", "macro_f1", "weighted_f1"))
        assert set(m["per_class"]) == set(LABEL_IDS.values())
        assert sum(map(sum, m["confusion_matrix"])) == sum(v["support"] for v in m["per_class"].values())
        for name in ("accuracy", "macro_f1"):
            low, high = m["ci"][name]
            assert 0 <= low <= m[name] <= high <= 1
    assert set(saved["model"]["by_field"]) == {"theatre", "register", "hard"} and saved["bootstrap"]["resamples"] == 1000
    assert saved["training"]["train_samples"] == 200 + 50  # the tiny config's sentence sample plus 50 article sentences


def test_the_tokenizer_is_saved_with_the_trained_max_length(tiny_run):
    assert json.loads((tiny_run.run_dir / "tokenizer.json").read_text(encoding="utf-8"))["model"]["type"] == "WordPiece"
    assert json.loads((tiny_run.run_dir / "tokenizer_config.json").read_text())["model_max_length"] == 64


def test_the_temperature_is_stored_in_config_json_and_indosec_applies_it(tiny_run):
    stored = json.loads((tiny_run.run_dir / "config.json").read_text())["calibration_temperature"]
    assert stored == tiny_run.metrics["calibration"]["temperature"] != 1.0
    assert "fit_nll_before" in tiny_run.metrics["calibration"]  # fitted on validation, during the run
    clf = indosec.load(str(tiny_run.run_dir))
    texts = ["Kedua negara sepakat memperkuat kerja sama intelijen.", "Bom meledak di pasar."]
    assert clf.predict_proba(texts) == pytest.approx(softmax(clf.logits(texts) / stored, axis=1), abs=1e-6)


def test_frozen_embeddings_stay_as_pretrained(tiny_run, tiny_bert):
    trained = load_file(tiny_run.run_dir / "model.safetensors")
    pretrained = load_file(tiny_bert / "model.safetensors")
    name = "embeddings.word_embeddings.weight"
    assert (trained[f"bert.{name}"] == pretrained[name]).all()
    assert not (trained["bert.embeddings.LayerNorm.weight"] == pretrained["embeddings.LayerNorm.weight"]).all()


def test_the_run_prints_and_records_its_shape_precision_and_estimate(tiny_run):
    assert "effective batch 32 = 16 per device × 1 process(es) × 2 accumulation step(s); gradient checkpointing on" in tiny_run.printed
    assert "Expected: about" in tiny_run.printed and "minutes of training on" in tiny_run.printed and "peak process RSS about" in tiny_run.printed
    info = json.loads((tiny_run.run_dir / "run_info.json").read_text())
    assert info["precision"] == choose_precision("auto")
    assert info["estimate"]["steps"] == 2 * math.ceil(math.ceil(250 / 16) / 2)  # 2 epochs of 16 batches, 2 per step
    assert info["training_arguments"]["gradient_checkpointing"] is True and info["config"]["train"]["class_weights"] is True
    log = json.loads((tiny_run.run_dir / "train_log.json").read_text())
    assert max(e.get("step", 0) for e in log) == info["estimate"]["steps"]


def test_whole_articles_are_reported_in_document_mode(tiny_run):
    docs = tiny_run.metrics["documents"]
    test_rows = validate_article_files(article_paths(ROOT / "data" / "articles"), list(LABEL_IDS.values()))["test"]
    assert docs["n_articles"] == len(test_rows) and docs["n_sentences"] == sum(len(r.fields["sentences"]) for r in test_rows)
    assert set(docs["model"]["article_recall"]) == set(LABEL_IDS.values()) - {"other"} and "baseline" in docs
    assert "## Whole articles (document mode)" in (tiny_run.run_dir / "report" / "report.md").read_text()
    assert "Whole articles, in document mode" in (tiny_run.run_dir / "README.md").read_text()


def test_the_report_shows_the_runs_numbers(tiny_run):
    text = (tiny_run.run_dir / "report" / "report.md").read_text()
    model, base = tiny_run.metrics["model"], tiny_run.metrics["baseline"]
    assert f"**{model['macro_f1']:.3f}**" in text and f"| {base['macro_f1']:.3f} |" in text
    assert "most confident errors" in text and "## By register" in text and "| train.run_name | tiny |" in text
    rows = [json.loads(line) for line in (tiny_run.run_dir / "report" / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == tiny_run.metrics["n"] and all(sum(r["probabilities"].values()) == pytest.approx(1, abs=1e-4) for r in rows)


def test_training_refuses_before_loading_anything_to_replace_a_run_with_other_settings(tiny_run, tiny_bert):
    cfg = tiny_config(tiny_bert, tiny_run.run_dir.parent, *SESSION_OVERRIDES, "train.learning_rate=5e-4")
    with pytest.raises(ConfigError, match="holds a finished run trained with other settings"):
        run(cfg)
    assert (tiny_run.run_dir / "model.safetensors").is_file()


def test_the_checkpoint_records_its_config_once(tiny_run):
    info = json.loads((tiny_run.run_dir / "run_info.json").read_text())
    assert info["config"] == json.loads(json.dumps(tiny_run.cfg.to_dict())) and info["launch"]["world_size"] == 1
    assert "config" not in tiny_run.metrics["run"]
