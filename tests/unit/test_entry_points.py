"""Each mistake a new user made ends, before any model loads, in one line that names what was
wrong and what to do, with the README's exit status (2: nothing could be done). Called in this
process; tests/e2e/test_user_errors.py drives the same entry points as real subprocesses."""

import sys

import pytest
import torch

import train.__main__
from indosec import cli
from tests.conftest import ROOT

SENTENCE = "Kedua negara sepakat memperkuat kerja sama intelijen."


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    errors = [line for line in err.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, err
    for fragment in fragments:
        assert fragment in errors[0], err


@pytest.fixture
def indosec_predict(capsys):
    def predict(*args):
        code = cli.main(["predict", *args])
        return code, capsys.readouterr().err
    return predict


@pytest.fixture
def python_m_train(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)

    def run(*args):
        code = train.__main__.main(list(args))
        return code, capsys.readouterr().err
    return run


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a torch without CUDA")
def test_device_cuda_on_a_cpu_only_torch(indosec_predict, tmp_path):
    assert_one_line_error(*indosec_predict(SENTENCE, "--model", str(tmp_path), "--device", "cuda"), "--device", "built without CUDA", "use cpu")


def test_a_device_name_torch_does_not_know(indosec_predict, tmp_path):
    assert_one_line_error(*indosec_predict(SENTENCE, "--model", str(tmp_path), "--device", "gpu"), "'gpu' is not a device name", "cpu, cuda or cuda:N")


def test_a_mistyped_local_model_folder_suggests_the_right_one(indosec_predict, tmp_path):
    folder = tmp_path / "quickstart"
    folder.mkdir()
    typo = folder.with_name("quickstartx")
    code, err = indosec_predict(SENTENCE, "--model", str(typo))
    assert_one_line_error(code, err, "cannot load model", f"{typo}: no such folder", f"did you mean {folder}?")
    assert "Repo id" not in err


def test_a_hub_model_that_cannot_be_had_offline(indosec_predict, tmp_path, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    assert_one_line_error(*indosec_predict(SENTENCE, "--model", "my-org/indosec-indobert"),
                          "cannot load 'my-org/indosec-indobert'", "point --model (or indosec.load) at a local copy")


def test_a_missing_config_file(python_m_train):
    assert_one_line_error(*python_m_train("configs/quickstar.yaml"), "config file 'configs/quickstar.yaml' not found", "configs/quickstart.yaml")


def test_an_override_without_equals(python_m_train):
    assert_one_line_error(*python_m_train("configs/tiny.yaml", "train.seed"), "'train.seed' is neither a config file nor an override", "needs '='")


def test_a_mistyped_local_backbone_folder(python_m_train, tmp_path):
    assert_one_line_error(*python_m_train("configs/tiny.yaml", f"model.model_name_or_path={tmp_path}/indobert-bse", f"train.output_dir={tmp_path}"),
                          "model.model_name_or_path", "indobert-bse: no such folder")


def test_the_gpu_config_without_hub_access(python_m_train, tmp_path, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    assert_one_line_error(*python_m_train("configs/indobert-base.yaml", f"train.output_dir={tmp_path}"),
                          "model.model_name_or_path: cannot load 'indobenchmark/indobert-base-p1'", "configs/quickstart.yaml", "hf download")


@pytest.mark.parametrize("args, message", [
    (["--input", "missing.txt"], "missing.txt: no such file"),
    (["--input", "sentences.xlsx"], "unknown input format '.xlsx'"),
    (["--document", "missing.txt"], "missing.txt: no such file"),
])
def test_unreadable_input_exits_2_before_loading_the_model(indosec_predict, args, message):
    code, err = indosec_predict(*args, "--model", "no/such-model")
    assert code == 2 and message in err


@pytest.mark.parametrize("args, message", [
    ([], "exactly one of them"),
    (["Bom meledak.", "--input", "x.txt"], "exactly one of them"),
    (["Bom meledak.", "  "], "sentence 2 is empty"),
    (["Bom meledak.", "--threshold", "1.5"], "threshold must be a probability"),
    (["Bom meledak.", "--batch-size", "0"], "--batch-size must be at least 1"),
])
def test_bad_arguments_exit_2_before_loading_the_model(indosec_predict, monkeypatch, args, message):
    monkeypatch.setattr(sys, "stdin", None)  # nothing piped in: no sentences is an error
    code, err = indosec_predict(*args, "--model", "no/such-model")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
