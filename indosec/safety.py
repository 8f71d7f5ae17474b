"""Find a checkpoint's folder (local, or a Hub snapshot) and refuse ones that could run code.

Pickle weights (`pytorch_model.bin`, `.pt`, `.ckpt`...) can execute arbitrary code when they
are unpickled, and `trust_remote_code` runs Python shipped with the model. indosec loads
weights from safetensors only and never runs a checkpoint's code.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
# What a classifier needs from a Hub repo: configs, safetensors weights, tokenizer vocabularies.
# Anything else (pickles, custom code, images) is never downloaded.
HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model"]


class UnsafeCheckpointError(ValueError):
    """The checkpoint could only be loaded by unpickling or by running its own code."""


def checkpoint_folder(name_or_path: str, *, revision: str | None = None) -> str:
    """A local folder that passed `check_safe_folder`: `name_or_path` itself, or the snapshot of
    a Hub repo (downloaded, or taken from the local cache when HF_HUB_OFFLINE=1)."""
    folder = Path(name_or_path).expanduser()
    if not folder.is_dir():
        check_local_path(name_or_path)
        check_hub_model(name_or_path, revision=revision, local_hint="--model (or indosec.load)")
        folder = Path(_hub_snapshot(name_or_path, revision))
    check_safe_folder(folder)
    return str(folder)


def check_local_path(name: str) -> None:
    """FileNotFoundError if `name` is meant as a local folder (it starts with / . ~, has more
    than one `/`, or its first part is a local folder) and does not exist, with the closest
    names found there; a Hub id ("org/name") passes."""
    path = Path(name).expanduser()
    local = name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1 or Path(name.split("/")[0]).is_dir()
    if not local or path.is_dir():
        return
    parent = next((p for p in path.parents if p.is_dir()), Path("."))
    if path.exists():
        raise FileNotFoundError(f"{name}: is a file, not a checkpoint folder")
    near = difflib.get_close_matches(str(path), [str(p) for p in parent.iterdir() if p.is_dir()], n=2, cutoff=0.6) if parent.exists() else []
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    raise FileNotFoundError(f"{name}: no such folder (nothing exists past {parent}){hint}")


def check_safe_folder(folder: Path) -> None:
    folder = Path(folder)
    weights = sorted(p.name for p in folder.glob("*.safetensors"))
    if not weights:
        pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise UnsafeCheckpointError(
                f"{folder} holds only pickle weights ({', '.join(pickles)}). indosec loads safetensors only: "
                "unpickling a file can run arbitrary code. Convert them where you trust the file, e.g. "
                "AutoModelForSequenceClassification.from_pretrained(folder).save_pretrained(folder) writes model.safetensors"
            )
        raise UnsafeCheckpointError(
            f"{folder} holds no safetensors weights (model.safetensors); pickle weights such as pytorch_model.bin "
            "are never downloaded or loaded, because unpickling can run arbitrary code"
        )
    for name in ("config.json", "tokenizer_config.json"):
        auto_map = _read_json(folder / name).get("auto_map")
        if auto_map:
            raise UnsafeCheckpointError(
                f"{folder / name} asks for the checkpoint's own Python code (auto_map: {auto_map}). "
                "indosec never enables trust_remote_code; use a checkpoint built on a standard transformers architecture"
            )


class HubUnavailable(FileNotFoundError):
    """A Hub model that cannot be loaded here: offline and not cached, not found, gated, a
    rejected token, a wrong revision, or no network. The message says which, and the ways out."""


def check_hub_model(repo_id: str, *, revision: str | None = None, local_hint: str = "a local folder") -> None:
    """Within seconds and before anything heavy loads: can `repo_id` be fetched from the Hub or
    found in the local cache? Otherwise HubUnavailable naming the id, the reason and the ways
    out, instead of a library's retries (about a minute) and traceback."""
    from huggingface_hub import HfApi, constants, try_to_load_from_cache
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, HFValidationError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        cached = isinstance(try_to_load_from_cache(repo_id, "config.json", revision=revision), str)
    except HFValidationError:
        raise HubUnavailable(f"{repo_id!r}: no such folder, and not a valid Hub id (org/name)") from None
    if constants.HF_HUB_OFFLINE:
        if cached:
            return
        reason = "HF_HUB_OFFLINE=1 is set and it is not in the local Hugging Face cache"
    else:
        try:
            HfApi().model_info(repo_id, revision=revision, timeout=10)
            return
        except GatedRepoError:
            reason = "it is gated: accept its terms on its Hub page, then log in (`hf auth login`)"
        except RevisionNotFoundError:
            reason = f"it has no revision {revision!r}"
        except RepositoryNotFoundError:
            reason = "no such model on the Hub (or a private one: log in with a token that can read it)"
        except HfHubHTTPError as e:
            status = getattr(getattr(e, "response", None), "status_code", None)
            reason = "the token was rejected (401): set a valid HF_TOKEN or run `hf auth login`" if status == 401 else f"the Hub answered {status}"
        except Exception as e:  # network failures come from huggingface_hub's HTTP client
            if type(e).__module__.split(".")[0] not in ("httpx", "httpx2", "requests"):
                raise
            if cached:
                return  # no network, but a cached copy: the loader falls back to it
            reason = f"the Hub cannot be reached ({type(e).__name__}) and it is not in the local cache"
    where = f" at revision {revision!r}" if revision else ""
    raise HubUnavailable(
        f"cannot load {repo_id!r}{where}: {reason}. Ways out: point {local_hint} at a local copy; make one on a machine "
        f"with Hub access (`hf download {repo_id} --local-dir {repo_id.split('/')[-1]}`) and copy the folder here"
    )


def _hub_snapshot(repo_id: str, revision: str | None) -> str:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        return snapshot_download(repo_id, revision=revision, allow_patterns=HUB_FILES)
    except HFValidationError:
        raise FileNotFoundError(f"{repo_id!r}: no such checkpoint folder, and not a valid Hub id (org/name)") from None
    except (LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError) as e:
        where = f" at revision {revision!r}" if revision else ""
        raise FileNotFoundError(
            f"{repo_id!r}: no such checkpoint folder, and no Hub model{where} could be found or reached. {e}"
        ) from None


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
