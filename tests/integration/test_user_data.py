"""A user's own labels in a run and in `python -m train.evaluate`: the tiny model trained with
`data.extra_articles`, the section "Your data" in report and card, evaluation on a labels file
and on a text+label file without ids, and the refusal of one article in two splits."""

import contextlib
import io
import json

import pytest

from indosec.reviewed import decision
from tests.conftest import ROOT, tiny_config
from train.data.validation import DataError

N_ARTICLES = 12


def labels_file(path, n=N_ARTICLES, **extra):
    """A review's labels file from the project's own test articles: gold labels revealed as if
    a person had reviewed every sentence."""
    lines = []
    with open(ROOT / "data" / "articles" / "test.jsonl", encoding="utf-8") as f:
        for line in list(f)[:n]:
            article = json.loads(line)
            for s in article["sentences"]:
                record = decision(article["text"], s["start"], s["end"], s["label"], model_label=s["label"], model_score=1.0,
                                  annotator="gold", checkpoint="none")
                lines.append(json.dumps(record | extra, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path, len(lines)


def test_a_run_with_extra_articles_reports_your_data(tiny_bert, tmp_path):
    from train.pipeline import run

    path, n = labels_file(tmp_path / "labels.jsonl")
    cfg = tiny_config(tiny_bert, tmp_path / "outputs", f"data.extra_articles=[{path}]", "train.run_name=tiny-user")
    with contextlib.redirect_stdout(io.StringIO()):
        metrics = run(cfg)
    user = metrics["user_data"]
    assert sum(u["sentences"] for u in user["used"].values()) == n and user["n"] == user["used"]["test"]["sentences"] > 0
    assert user["used"]["test"]["articles"] == round(N_ARTICLES * cfg.data.extra_test_share)
    assert {"model", "baseline"} <= set(user) and 0 <= user["model"]["macro_f1"] <= 1
    report = (cfg.train.run_dir / "report" / "report.md").read_text(encoding="utf-8")
    card = (cfg.train.run_dir / "README.md").read_text(encoding="utf-8")
    assert "## Your data" in report and "### Your data" in card
    assert f"test {user['n']} sentences ({user['used']['test']['articles']} articles)" in report
    # the user's test sentences were not trained on
    train_counts = metrics["run"]["data_counts"]["train"]
    assert sum(train_counts.values()) == 200 + 50 + 50 + user["used"]["train"]["sentences"]  # tiny.yaml: sentences, article sentences, pairs


def test_evaluate_takes_a_labels_file_and_a_text_label_file_without_ids(tiny_run, tmp_path):
    from train.evaluate.__main__ import main

    path, n = labels_file(tmp_path / "labels.jsonl", n=3)
    plain = tmp_path / "mine.csv"
    plain.write_text("text,label\nSebuah bom meledak di pasar kota pada Senin pagi.,attack\nCuaca cerah di Jakarta hari ini.,other\n", encoding="utf-8")
    # the baseline's sentences: every 8th of the project's files (the whole train file would
    # spend half a minute fitting the baseline twice, which is not what this test is about)
    for split in ("train", "validation"):
        rows = (ROOT / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        (tmp_path / f"{split}.jsonl").write_text("".join(rows[::8]), encoding="utf-8")
    for data, expected in ((path, n), (plain, 2)):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main(["--model", str(tiny_run.run_dir), "--data", str(data), "--out", str(tmp_path / f"eval-{data.stem}"),
                         "--train", str(tmp_path / "train.jsonl"), "--validation", str(tmp_path / "validation.jsonl")])
        assert code == 0
        summary = json.loads(printed.getvalue())
        assert summary["n"] == expected and "baseline_macro_f1" in summary
        assert (tmp_path / f"eval-{data.stem}" / "report.md").is_file()


def test_one_article_in_two_splits_stops_the_run_before_training(tiny_bert, tmp_path):
    from train.data.splits import load_splits

    path, _ = labels_file(tmp_path / "labels.jsonl", n=1)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps(json.loads(lines[0]) | {"split": "train"})
    lines[1] = json.dumps(json.loads(lines[1]) | {"split": "test"})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = tiny_config(tiny_bert, tmp_path / "outputs", f"data.extra_articles=[{path}]")
    with pytest.raises(DataError, match=r"labels.jsonl:2: article 'a-[0-9a-f]+' is put in split test here and in train at .*labels.jsonl:1"):
        load_splits(cfg.data, seed=0)
