"""`python -m train.evaluate` on the trained session checkpoint: the same evaluate and render as
training, on any labelled file, with the baseline trained on the files beside it."""

import json

from tests.conftest import ROOT
from train.evaluate.__main__ import main
from train.render.report import REPORT_FILES


def test_cli_evaluates_a_checkpoint_with_the_baseline(tiny_run, tmp_path, capsys):
    """On the first rows of each split (a quicker baseline), found beside --data."""
    for split, rows in (("train", 300), ("validation", 80), ("test", 80)):
        lines = (ROOT / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()[:rows]
        (tmp_path / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "eval"
    assert main(["--model", str(tiny_run.run_dir), "--data", str(tmp_path / "test.jsonl"), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    saved = json.loads((out / "metrics.json").read_text())
    assert summary["macro_f1"] == round(saved["model"]["macro_f1"], 4) and summary["baseline_macro_f1"] == round(saved["baseline"]["macro_f1"], 4)
    assert {s: sum(c.values()) for s, c in saved["run"]["data_counts"].items()} == {"evaluated": 80, "train": 300, "validation": 80}
    assert "config" not in saved["run"] and saved["n"] == 80
    assert saved["calibration"]["temperature"] == tiny_run.metrics["calibration"]["temperature"]  # the checkpoint's own
    assert saved["run"]["calibration_fitted_on"] == "validation split of the training run"
    assert saved["run"]["backbone"] == tiny_run.cfg.model.model_name_or_path
    assert "| train.run_name | tiny |" in (out / "report.md").read_text()  # the checkpoint's run_info.json keeps it
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)
