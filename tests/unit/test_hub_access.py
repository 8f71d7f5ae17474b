"""A backbone or checkpoint that cannot be fetched from the Hub fails in seconds, before anything
heavy loads, with the id, the reason and the ways out (offline here: no test reaches the Hub).
The entry points' one-line errors: tests/e2e/test_user_errors.py."""

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

from indosec.locate import HubUnavailable, check_hub_model

REPO = "indobenchmark/indobert-base-p1"


def _http(error_class, status):
    def raise_it(self, *args, **kwargs):
        request = httpx2.Request("GET", f"https://huggingface.co/api/models/{REPO}")
        raise error_class(f"{status} error", response=httpx2.Response(status, request=request))
    return raise_it


def _no_network(self, *args, **kwargs):
    raise httpx2.ConnectError("[Errno -2] Name or service not known")


@pytest.fixture
def online(monkeypatch, tmp_path):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return monkeypatch


def cache_model(tmp_path, repo=REPO):
    """What a download leaves in the Hugging Face cache: refs/main and a snapshot with config.json."""
    folder = tmp_path / "hub" / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text("abc123")
    (folder / "snapshots" / "abc123").mkdir(parents=True)
    (folder / "snapshots" / "abc123" / "config.json").write_text("{}")


@pytest.mark.parametrize("raise_it, reason", [
    (_http(GatedRepoError, 403), "it is gated: accept its terms"),
    (_http(RepositoryNotFoundError, 404), "no such model on the Hub (or a private one"),
    (_http(RevisionNotFoundError, 404), "it has no revision 'v9'"),
    (_http(HfHubHTTPError, 401), "the token was rejected (401)"),
    (_no_network, "the Hub cannot be reached (ConnectError) and it is not in the local cache"),
])
def test_each_reason_is_named_with_the_ways_out(online, raise_it, reason):
    online.setattr(HfApi, "model_info", raise_it)
    with pytest.raises(HubUnavailable) as err:
        check_hub_model(REPO, revision="v9" if "revision" in reason else None, local_hint="model.model_name_or_path")
    message = str(err.value)
    assert f"cannot load '{REPO}'" in message and reason in message
    assert "point model.model_name_or_path at a local copy" in message and f"hf download {REPO} --local-dir indobert-base-p1" in message


def test_no_network_with_a_cached_copy_goes_on(online, tmp_path):
    asked = []

    def no_network(self, repo_id, **kwargs):
        asked.append(repo_id)
        _no_network(self)

    online.setattr(HfApi, "model_info", no_network)
    cache_model(tmp_path)
    assert check_hub_model(REPO) is None and asked == [REPO]  # the Hub was asked, the cache answered


def test_offline_uses_the_cache_or_says_it_is_not_there(monkeypatch, tmp_path):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(HfApi, "model_info", lambda *a, **k: pytest.fail("offline: the Hub must not be asked"))
    with pytest.raises(HubUnavailable, match="HF_HUB_OFFLINE=1 is set and it is not in the local Hugging Face cache"):
        check_hub_model(REPO)
    cache_model(tmp_path)
    assert check_hub_model(REPO) is None
