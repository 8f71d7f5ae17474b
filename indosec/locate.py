"""Where a checkpoint or backbone is: a local folder, or a Hub id that can be had now.

`check_hub_model` is the one Hub check: `indosec.load`, `python -m train` (the backbone) and
`python -m train.evaluate` (the model) all ask it, within seconds and before anything heavy
loads, instead of meeting a library's retries (about a minute) and traceback.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from indosec.safety import HUB_FILES, check_safe_folder

# Packages whose exceptions are network failures: huggingface_hub's HTTP client (httpx today,
# requests before).
NETWORK_MODULES = ("httpx", "httpx2", "requests")


class HubUnavailable(FileNotFoundError):
    """A Hub model that cannot be loaded here: offline and not cached, not found, gated, a
    rejected token, a wrong revision, or no network. The message says which, and the ways out."""


def is_network_error(error: BaseException) -> bool:
    """True for a failure to reach the Hub (no network, DNS, timeout), as opposed to an answer."""
    return type(error).__module__.split(".")[0] in NETWORK_MODULES


def checkpoint_folder(name_or_path: str, *, revision: str | None = None) -> str:
    """A local folder that passed `indosec.safety.check_safe_folder`: `name_or_path` itself, or
    the snapshot of a Hub repo (downloaded, or taken from the local cache when HF_HUB_OFFLINE=1)."""
    folder = Path(name_or_path).expanduser()
    if not folder.is_dir():
        check_model_source(name_or_path, revision=revision, local_hint="--model (or indosec.load)")
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


def check_model_source(name: str, *, revision: str | None = None, local_hint: str = "a local folder") -> None:
    """A folder that exists, or a Hub id that can be fetched or is cached; otherwise
    FileNotFoundError (a mistyped folder) or HubUnavailable (a Hub id), saying what to do."""
    check_local_path(name)
    if not Path(name).expanduser().is_dir():
        check_hub_model(name, revision=revision, local_hint=local_hint)


def check_hub_model(repo_id: str, *, revision: str | None = None, local_hint: str = "a local folder") -> None:
    """Within seconds and before anything heavy loads: can `repo_id` be fetched from the Hub or
    found in the local cache? Otherwise HubUnavailable naming the id, the reason and the ways out."""
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
        except Exception as e:
            if not is_network_error(e):
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
