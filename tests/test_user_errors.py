"""Each mistake a new user made, driven through the real entry point (a subprocess), must end
in one line that names what was wrong and what to do, with the README's exit status (2: nothing
could be done), never a traceback."""

import os
import subprocess
import sys

import pytest
import torch

from tests.test_predict import SENTENCES

INDOSEC = [sys.executable, "-m", "indosec.cli", "predict"]
TRAIN = [sys.executable, "-m", "train"]


def run(cmd, cwd=None):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=None)
    return done.returncode, done.stderr


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, err
    for fragment in fragments:
        assert fragment in errors[0], err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a torch without CUDA")
def test_device_cuda_on_a_cpu_only_torch(tiny_run):
    code, err = run([*INDOSEC, SENTENCES[0], "--model", str(tiny_run[0]), "--device", "cuda"])
    assert_one_line_error(code, err, "--device", "built without CUDA", "use cpu")


def test_a_device_name_torch_does_not_know(tiny_run):
    code, err = run([*INDOSEC, SENTENCES[0], "--model", str(tiny_run[0]), "--device", "gpu"])
    assert_one_line_error(code, err, "'gpu' is not a device name", "cpu, cuda or cuda:N")


def test_a_mistyped_local_model_folder_suggests_the_right_one(tiny_run):
    folder = tiny_run[0]
    typo = folder.with_name(folder.name + "x")
    code, err = run([*INDOSEC, SENTENCES[0], "--model", str(typo)])
    assert_one_line_error(code, err, f"{typo}: no such folder", f"did you mean {folder}?")
    assert "Repo id" not in err


def test_a_missing_config_file(tmp_path):
    code, err = run([*TRAIN, "configs/quickstar.yaml"])
    assert_one_line_error(code, err, "config file 'configs/quickstar.yaml' not found", "configs/quickstart.yaml")


def test_an_override_without_equals():
    code, err = run([*TRAIN, "configs/tiny.yaml", "train.seed"])
    assert_one_line_error(code, err, "'train.seed' is neither a config file nor an override", "needs '='")


def test_a_mistyped_local_backbone_folder(tmp_path):
    code, err = run([*TRAIN, "configs/tiny.yaml", f"model.model_name_or_path={tmp_path}/indobert-bse", f"train.output_dir={tmp_path}"])
    assert_one_line_error(code, err, "model.model_name_or_path", "indobert-bse: no such folder")


@pytest.mark.parametrize("fast", [[], ["--fast"]])
def test_a_cli_call_prints_no_loading_progress_bar(tiny_run, tmp_path, fast):
    env = dict(os.environ, INDOSEC_CACHE=str(tmp_path))  # --fast: the first load exports, loading the weights
    done = subprocess.run([*INDOSEC, SENTENCES[0], "--model", str(tiny_run[0]), *fast], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0 and "Loading weights" not in done.stderr, done.stderr
