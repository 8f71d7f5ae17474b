"""Safe loading: safetensors only, never a checkpoint's own code, and Hub ids from the cache offline."""

import json
import os
import pickle
import shutil

import huggingface_hub.constants
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification

import indosec
from indosec.safety import UnsafeCheckpointError

SENTENCE = "Kedua negara sepakat memperkuat kerja sama intelijen."


class _Trap:
    """Unpickling this creates `path`: proof that a pickle was opened."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


@pytest.fixture
def checkpoint(tiny_run, tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(tiny_run.run_dir, folder)
    return folder


def test_a_folder_with_only_pickle_weights_is_refused_with_the_reason(checkpoint):
    torch.save(load_file(checkpoint / "model.safetensors"), checkpoint / "pytorch_model.bin")
    (checkpoint / "model.safetensors").unlink()
    with pytest.raises(UnsafeCheckpointError, match=r"only pickle weights \(pytorch_model.bin\).*arbitrary code"):
        indosec.load(str(checkpoint))


def test_safetensors_are_loaded_and_a_pickle_beside_them_is_never_opened(checkpoint, tmp_path):
    sentinel = tmp_path / "pickle-was-opened"
    (checkpoint / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(sentinel)))
    clf = indosec.load(str(checkpoint))
    assert clf.predict(SENTENCE).label in indosec.LABELS
    assert not sentinel.exists()
    expected = load_file(checkpoint / "model.safetensors")["classifier.weight"]
    assert torch.equal(clf.backend.model.classifier.weight.detach().cpu(), expected)


def test_a_checkpoint_asking_for_its_own_code_is_refused_and_the_code_never_runs(checkpoint, tmp_path):
    sentinel = tmp_path / "remote-code-ran"
    (checkpoint / "evil.py").write_text(f"import os\nos.mkdir({str(sentinel)!r})\n")
    config = json.loads((checkpoint / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "evil.EvilModel"}
    (checkpoint / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsafeCheckpointError, match="never enables trust_remote_code"):
        indosec.load(str(checkpoint))
    assert not sentinel.exists()


def test_loading_asks_transformers_for_safetensors_and_no_remote_code(checkpoint, monkeypatch):
    seen = {}
    original = AutoModelForSequenceClassification.from_pretrained.__func__

    def spy(cls, *args, **kwargs):
        seen.update(kwargs)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(AutoModelForSequenceClassification, "from_pretrained", classmethod(spy))
    indosec.load(str(checkpoint))
    assert seen["use_safetensors"] is True and seen["trust_remote_code"] is False


def test_a_hub_id_loads_from_the_local_cache_when_offline(checkpoint, tmp_path, monkeypatch):
    assert huggingface_hub.constants.HF_HUB_OFFLINE, "conftest sets HF_HUB_OFFLINE=1 before any import"
    cache = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--my-org--indosec-tiny"
    shutil.copytree(checkpoint, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))

    from_hub = indosec.load("my-org/indosec-tiny")
    pinned = indosec.load("my-org/indosec-tiny", revision=commit)
    local = indosec.load(str(checkpoint))
    assert from_hub.predict(SENTENCE) == local.predict(SENTENCE) == pinned.predict(SENTENCE)
    with pytest.raises(FileNotFoundError, match="'my-org/other'.*not in the local Hugging Face cache"):
        indosec.load("my-org/other")
