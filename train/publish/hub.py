"""Share a finished checkpoint on the Hugging Face Hub: validate the folder, then create the
repo and upload it with huggingface_hub. The token is passed to huggingface_hub and never
printed, logged or put in an error message. `scripts/push_to_hub.py` is the command line."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import HfApi, ModelCard, constants, get_token
from huggingface_hub.errors import HfHubHTTPError, HFValidationError
from huggingface_hub.utils import DEFAULT_IGNORE_PATTERNS, filter_repo_objects, validate_repo_id

from indosec.labels import label_names
from indosec.locate import is_network_error
from indosec.safety import PICKLE_SUFFIXES
from train.render.card import below_baseline
from train.run_folder import read_metrics

# Hidden files (editor swap files, our own `.name.tmp` atomic-write leftovers) never go up.
# upload_folder adds huggingface_hub's own defaults (.git, .cache/huggingface) to these.
UPLOAD_IGNORE = [".*", "*/.*", "*.tmp"]
_DEFAULT_LABEL = re.compile(r"^LABEL_\d+$")


class ValidationError(ValueError):
    """The folder is not a checkpoint others can load; the message lists every problem."""


class HubError(RuntimeError):
    """The Hub refused the upload, or it cannot start (no token, offline, wrong repo type)."""


@dataclass
class Validated:
    labels: list[str]
    widget: list[str]
    predictions: list[tuple[str, float]]
    """indosec's label and score for each widget example."""


def validate_checkpoint(folder: str | Path, *, allow_below_baseline: bool = False) -> Validated:
    """Check the folder is complete and loads, then predict the card's widget examples with
    both `indosec.load` and `transformers.pipeline` (they must agree). A checkpoint whose test
    macro-F1 is below its own baseline's is refused unless `allow_below_baseline`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder}: no such checkpoint folder")
    problems, labels = _check_config(folder)
    problems += _check_weights(folder)
    problems += _check_quality(folder, allow_below_baseline)
    card_problems, widget = _check_card(folder)
    problems += card_problems
    if problems:
        raise ValidationError(f"{folder} is not ready to share:\n  " + "\n  ".join(problems))
    return Validated(labels, widget, _predict_both_ways(folder, widget, labels))


def _check_config(folder: Path) -> tuple[list[str], list[str]]:
    path = folder / "config.json"
    if not path.is_file():
        return [f"{path.name}: missing"], []
    try:
        id2label = json.loads(path.read_text(encoding="utf-8")).get("id2label") or {}
    except ValueError as e:
        return [f"{path.name}: not valid JSON ({e})"], []
    labels = label_names(id2label)
    if len(labels) < 2 or any(_DEFAULT_LABEL.match(lab) for lab in labels):
        return [f"{path.name}: id2label must name the labels, got {id2label or 'nothing'}"], labels
    return [], labels


def _check_weights(folder: Path) -> list[str]:
    problems = []
    if not any(folder.glob("*.safetensors")):
        problems.append("no safetensors weights (model.safetensors)")
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        problems.append(f"pickle files would be shared: {', '.join(pickles)} (remove them; safetensors only)")
    return problems


def _check_quality(folder: Path, allow_below_baseline: bool) -> list[str]:
    try:
        model, baseline = checkpoint_macro_f1(folder)
    except (OSError, ValueError, KeyError, TypeError):
        return ["metrics.json: missing or without test and baseline macro-F1 (is this a finished run of `python -m train`?)"]
    if model < baseline and not allow_below_baseline:
        return [
            f"test macro-F1 {model:.3f} is below its own TF-IDF baseline's {baseline:.3f}: not worth sharing as a classifier. "
            "Pass --allow-below-baseline to upload it anyway (its card will say so)"
        ]
    return []


def checkpoint_macro_f1(folder: str | Path) -> tuple[float, float]:
    """(model, baseline) test macro-F1 from the checkpoint's metrics.json."""
    metrics = read_metrics(folder)
    return metrics["model"]["macro_f1"], metrics["baseline"]["macro_f1"]


def is_below_baseline(folder: str | Path) -> bool:
    return below_baseline(read_metrics(folder))


def _check_card(folder: Path) -> tuple[list[str], list[str]]:
    path = folder / "README.md"
    if not path.is_file():
        return ["README.md (model card): missing"], []
    try:
        meta = ModelCard.load(path).data.to_dict()
    except Exception as e:  # huggingface_hub raises ValueError or yaml errors for a bad block
        return [f"README.md: its metadata block does not parse ({e})"], []
    if not meta:
        return ["README.md: no metadata block (YAML between --- lines) at the top"], []
    widget = [w.get("text") for w in meta.get("widget") or [] if isinstance(w, dict)]
    if not widget or not all(isinstance(t, str) and t.strip() for t in widget):
        return ["README.md: metadata has no widget examples (widget: [{text: ...}])"], []
    return [], widget


def _predict_both_ways(folder: Path, widget: list[str], labels: list[str]) -> list[tuple[str, float]]:
    import indosec  # heavy imports only once the folder looks complete
    from transformers import pipeline

    try:
        ours = indosec.load(str(folder)).predict(widget)
        pipe = pipeline("text-classification", model=str(folder), trust_remote_code=False, model_kwargs={"use_safetensors": True})
        theirs = pipe(widget)
    except Exception as e:
        raise ValidationError(f"{folder} does not load: {type(e).__name__}: {e}") from e
    disagree = [t for t, a, b in zip(widget, ours, theirs) if a.label != b["label"]]
    if disagree:
        raise ValidationError(f"{folder}: indosec and transformers.pipeline disagree on {disagree}")
    unknown = sorted({p.label for p in ours} - set(labels))
    if unknown:
        raise ValidationError(f"{folder}: predicted labels {unknown} are not in config.json's id2label")
    return [(p.label, p.score) for p in ours]


def upload_plan(folder: str | Path) -> list[tuple[str, int]]:
    """(path in repo, bytes) of every file upload_folder will send, filtered exactly as it does."""
    folder = Path(folder)
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    kept = filter_repo_objects(paths, ignore_patterns=UPLOAD_IGNORE + DEFAULT_IGNORE_PATTERNS)
    return [(p, (folder / p).stat().st_size) for p in kept]


def check_repo_id(repo_id: str) -> str:
    """`org/name` of a model repo (a model URL is accepted); dataset and Space ids are refused."""
    name = repo_id.removeprefix("https://huggingface.co/")
    for kind in ("datasets", "spaces"):
        if name.startswith(kind + "/"):
            raise HubError(f"--repo-id {repo_id} names a {kind[:-1]} repo; a model goes to a model repo: --repo-id org/name")
    try:
        if name.count("/") != 1:
            raise HFValidationError("expected exactly one '/'")
        validate_repo_id(name)
    except HFValidationError as e:
        raise HubError(f"--repo-id {repo_id!r} is not a model repo id of the form org/name ({e})") from None
    return name


def find_token() -> tuple[str | None, str]:
    """The token and where it came from (for messages: the source, never the token)."""
    token = get_token()
    if not token:
        return None, "none"
    return token, "HF_TOKEN" if os.environ.get("HF_TOKEN") == token else "saved login"


def push(folder: str | Path, repo_id: str, *, token: str, private: bool = False, revision: str | None = None,
         repo_type: str = "model") -> str:
    """Create the repo (if needed) and upload the folder; returns the commit URL. A Space
    (`repo_type="space"`) is created with the Gradio SDK."""
    if constants.HF_HUB_OFFLINE:
        raise HubError("HF_HUB_OFFLINE=1 is set: unset it to upload (--dry-run works offline)")
    api = HfApi(token=token)
    try:
        if not api.repo_exists(repo_id, repo_type=repo_type):
            for other in [t for t in ("model", "dataset", "space") if t != repo_type]:
                if api.repo_exists(repo_id, repo_type=other):
                    raise HubError(
                        f"{repo_id} already exists on the Hub as a {other} repo, not a {repo_type} repo; "
                        f"choose another id for the {repo_type}"
                    )
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True,
                        **({"space_sdk": "gradio"} if repo_type == "space" else {}))
        if revision and revision != "main":
            api.create_branch(repo_id, branch=revision, repo_type=repo_type, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id, folder_path=str(folder), repo_type=repo_type, revision=revision,
            ignore_patterns=list(UPLOAD_IGNORE), commit_message=f"Upload {Path(folder).name} with scripts/push_to_hub.py",
        )
    except HfHubHTTPError as e:
        raise HubError(explain_http_error(e, repo_id, token)) from None
    except Exception as e:
        if not is_network_error(e):
            raise
        raise HubError(f"could not reach the Hub ({type(e).__name__}: {_redact(str(e), token)}); check the network and retry") from None
    return getattr(commit, "commit_url", None) or str(commit)


def explain_http_error(error, repo_id: str, token: str) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    namespace = repo_id.split("/")[0]
    reasons = {
        401: "the token was rejected (invalid or expired): set a new HF_TOKEN or run `hf auth login`",
        403: f"the token cannot write to {namespace!r}: it needs the write role and membership of that organisation",
        404: f"{repo_id} was not found with this token (a private repo of someone else, or a typo)",
        409: f"{repo_id} conflicts with an existing repo or branch",
    }
    detail = _redact(str(error), token)
    return f"Hub error {status} for {repo_id}: {reasons.get(status, 'the Hub refused the request')}. ({detail.splitlines()[0] if detail else ''})"


def _redact(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text
