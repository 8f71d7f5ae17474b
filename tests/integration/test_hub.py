"""scripts/push_to_hub.py up to the network: validation, dry run, and the calls it makes to
huggingface_hub's HfApi (patched here, so nothing leaves the machine)."""

import importlib.util
import json
import logging
import shutil
from types import SimpleNamespace

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from tests.integration.test_card import front_matter

import train.publish.hub
from tests.conftest import ROOT
from train.publish.hub import ValidationError, upload_plan, validate_checkpoint

SECRET = "hf_test_SECRET_token_must_never_be_printed"
_spec = importlib.util.spec_from_file_location("push_to_hub", ROOT / "scripts" / "push_to_hub.py")
push_to_hub = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(push_to_hub)


@pytest.fixture
def checkpoint(tiny_run, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_run.run_dir, folder)
    return folder


@pytest.fixture
def hub(monkeypatch):
    """Online mode with every HfApi method the script uses recorded instead of sent."""
    calls = []
    existing = {}  # repo_type -> bool

    def record(name, result=None):
        def method(self, *args, **kwargs):
            calls.append((name, self.token, args, kwargs))
            return result(kwargs) if callable(result) else result
        return method

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_TOKEN", SECRET)
    monkeypatch.setattr(HfApi, "repo_exists", record("repo_exists", lambda kw: existing.get(kw.get("repo_type"), False)))
    monkeypatch.setattr(HfApi, "create_repo", record("create_repo", "https://huggingface.co/my-org/indosec-tiny"))
    monkeypatch.setattr(HfApi, "create_branch", record("create_branch"))
    monkeypatch.setattr(HfApi, "upload_folder", record("upload_folder", SimpleNamespace(commit_url="https://huggingface.co/my-org/indosec-tiny/commit/abc")))
    return SimpleNamespace(calls=calls, existing=existing)


def run_script(capsys, caplog, *args, allow_below_baseline=True):
    """The tiny test model scores below its baseline: every test but the one about that lets it through."""
    flags = ["--allow-below-baseline"] if allow_below_baseline else []
    with caplog.at_level(logging.DEBUG):
        code = push_to_hub.main([str(a) for a in args] + flags)
    out = capsys.readouterr()
    text = out.out + out.err + caplog.text
    assert SECRET not in text, "the token must never be printed or logged"
    return code, out.out, out.err


def test_a_finished_run_validates_and_its_widget_examples_are_predicted(checkpoint):
    checked = validate_checkpoint(checkpoint, allow_below_baseline=True)
    assert checked.labels == ["security_cooperation", "attack", "territorial_claim", "propaganda", "other"]
    assert len(checked.widget) == len(checked.predictions) == 3
    assert all(label in checked.labels and 0 < score <= 1 for label, score in checked.predictions)


def _pickle_instead_of_safetensors(folder):
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")


def _default_label_names(folder):
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {str(i): f"LABEL_{i}" for i in range(5)}
    (folder / "config.json").write_text(json.dumps(config))


def _broken_card_metadata(folder):
    card = (folder / "README.md").read_text()
    (folder / "README.md").write_text(card.replace("language:", "language: [id\n", 1))


def _card_without_widget(folder):
    card = (folder / "README.md").read_text()
    head, _, rest = card.partition("widget:")
    rest = rest.split("\n", 1)[1]
    while rest.startswith("- "):
        rest = rest.split("\n", 1)[1]
    (folder / "README.md").write_text(head + rest)


@pytest.mark.parametrize("damage, message", [
    (_pickle_instead_of_safetensors, r"no safetensors weights.*\n.*pickle files would be shared: pytorch_model.bin"),
    (_default_label_names, "id2label must name the labels"),
    (_broken_card_metadata, "metadata block does not parse"),
    (_card_without_widget, "no widget examples"),
])
def test_a_folder_that_fails_validation_names_each_problem(checkpoint, damage, message):
    damage(checkpoint)
    with pytest.raises(ValidationError, match=message):
        validate_checkpoint(checkpoint, allow_below_baseline=True)


def test_a_checkpoint_below_its_own_baseline_is_refused(checkpoint, hub, capsys, caplog):
    metrics = json.loads((checkpoint / "metrics.json").read_text())
    assert metrics["model"]["macro_f1"] < metrics["baseline"]["macro_f1"]  # the tiny random model
    with pytest.raises(ValidationError, match=r"below its own TF-IDF baseline's .*--allow-below-baseline"):
        validate_checkpoint(checkpoint)
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", allow_below_baseline=False)
    assert code == 1 and "below its own TF-IDF baseline" in err and hub.calls == []


def test_sharing_below_the_baseline_on_purpose_is_recorded_in_the_card(checkpoint, hub, capsys, caplog):
    card = (checkpoint / "README.md").read_text()
    assert "Below its own baseline" in card and "on purpose" not in card
    code, out, _ = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", "--dry-run")
    assert code == 0 and "would be re-rendered" in out and (checkpoint / "README.md").read_text() == card
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny")
    assert code == 0, err
    card = (checkpoint / "README.md").read_text()
    assert "shared on the Hub on purpose" in card and "`scripts/push_to_hub.py --allow-below-baseline`" in card
    assert hub.calls[-1][0] == "upload_folder"


def test_dry_run_prints_every_file_it_would_upload_and_calls_nothing(checkpoint, hub, capsys, caplog):
    (checkpoint / ".README.md.abc.tmp").write_text("leftover of an interrupted atomic write")
    code, out, _ = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", "--private", "--dry-run")
    assert code == 0 and hub.calls == []
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()[0] in {p for p, _ in upload_plan(checkpoint)}]
    files = [p.relative_to(checkpoint) for p in checkpoint.rglob("*") if p.is_file()]
    assert listed == sorted(str(f) for f in files if not any(part.startswith(".") for part in f.parts))
    assert "my-org/indosec-tiny (model, private if created)" in out
    assert "Token: found (HF_TOKEN)" in out and "Nothing was uploaded." in out


def test_upload_uses_the_token_and_uploads_exactly_the_planned_files(checkpoint, hub, capsys, caplog):
    code, out, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", "--revision", "v1")
    assert code == 0, err
    names = [c[0] for c in hub.calls]
    assert names == ["repo_exists", "repo_exists", "repo_exists", "create_repo", "create_branch", "upload_folder"]
    assert all(token == SECRET for _, token, _, _ in hub.calls)
    upload = hub.calls[-1][3]
    assert upload["repo_id"] == "my-org/indosec-tiny" and upload["revision"] == "v1" and upload["repo_type"] == "model"
    assert upload["folder_path"] == str(checkpoint)
    assert "revision='v1'" in out and "commit/abc" in out


def test_a_missing_token_is_a_clear_error(checkpoint, hub, monkeypatch, capsys, caplog):
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr(train.publish.hub, "get_token", lambda: None)
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny")
    assert code == 1 and "no Hugging Face token: set HF_TOKEN or run `hf auth login`" in err
    assert hub.calls == []


def test_an_existing_dataset_repo_of_that_name_is_refused(checkpoint, hub, capsys, caplog):
    hub.existing["dataset"] = True
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny")
    assert code == 1 and "already exists on the Hub as a dataset repo" in err
    assert "upload_folder" not in [c[0] for c in hub.calls]


@pytest.mark.parametrize("repo_id, message", [
    ("datasets/my-org/x", "names a dataset repo"), ("spaces/my-org/x", "names a space repo"), ("no-slash", "form org/name"),
])
def test_a_repo_id_that_is_not_a_model_repo_is_refused(checkpoint, hub, capsys, caplog, repo_id, message):
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", repo_id, "--dry-run")
    assert code == 1 and message in err


def test_a_refused_upload_is_explained_without_the_token(checkpoint, hub, monkeypatch, capsys, caplog):
    def forbidden(self, *args, **kwargs):
        request = httpx2.Request("POST", "https://huggingface.co/api/repos/create", headers={"authorization": f"Bearer {SECRET}"})
        raise HfHubHTTPError(f"403 Forbidden (sent {SECRET})", response=httpx2.Response(403, request=request))

    monkeypatch.setattr(HfApi, "create_repo", forbidden)
    code, _, err = run_script(capsys, caplog, checkpoint, "--repo-id", "other-org/indosec-tiny")
    assert code == 1 and "Hub error 403" in err and "cannot write to 'other-org'" in err


def test_space_dry_run_writes_a_valid_space_folder_and_sends_nothing(checkpoint, hub, capsys, caplog):
    pytest.importorskip("gradio")
    from train.publish.space import validate_space

    code, out, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", "--space", "my-org/indosec-app", "--dry-run")
    assert code == 0, err
    space = checkpoint.parent / "tiny-space"
    assert sorted(p.name for p in space.iterdir()) == ["README.md", "app.py", "requirements.txt"]
    validate_space(space, "my-org/indosec-tiny")
    assert "my-org/indosec-app (Space, Gradio SDK)" in out and hub.calls == []
    meta, _ = front_matter((space / "README.md").read_text())
    assert meta["sdk"] == "gradio" and meta["models"] == ["my-org/indosec-tiny"] and meta["app_file"] == "app.py"
    compile((space / "app.py").read_text(), "app.py", "exec")


def test_a_broken_space_is_refused_with_each_problem(checkpoint, tmp_path):
    pytest.importorskip("gradio")
    from train.publish.space import validate_space, write_space

    space = write_space(tmp_path / "space", "my-org/indosec-tiny", "my-org/indosec-app")
    (space / "requirements.txt").write_text("indosec\ngradio\n")
    (space / "app.py").write_text("import indosec\nindosec.load(\n")
    with pytest.raises(ValidationError) as err:
        validate_space(space, "my-org/indosec-tiny")
    assert "app.py:" in str(err.value) and "must pin indosec[app]==" in str(err.value) and "must pin gradio==" in str(err.value)


def test_space_upload_creates_a_gradio_space_after_the_model(checkpoint, hub, capsys, caplog):
    pytest.importorskip("gradio")
    code, out, err = run_script(capsys, caplog, checkpoint, "--repo-id", "my-org/indosec-tiny", "--space", "spaces/my-org/indosec-app")
    assert code == 0, err
    creates = [c for c in hub.calls if c[0] == "create_repo"]
    assert [c[3]["repo_type"] for c in creates] == ["model", "space"] and creates[1][3]["space_sdk"] == "gradio"
    uploads = [c[3] for c in hub.calls if c[0] == "upload_folder"]
    assert uploads[1]["repo_type"] == "space" and uploads[1]["repo_id"] == "my-org/indosec-app"
    assert "huggingface.co/spaces/my-org/indosec-app" in out
