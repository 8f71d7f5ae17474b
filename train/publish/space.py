"""The Hub Space for a shared checkpoint: `indosec app` running on the Hub, next to the model.
`scripts/push_to_hub.py --space org/name` writes the folder, validates it and uploads it
(`train.publish.hub.push(..., repo_type="space")`).

The folder holds `app.py` (loads the model repo by id, builds `indosec.app`), `requirements.txt`
(this release of indosec with the app extra, and the Gradio the Space's SDK runs) and
`README.md` (the Space's metadata: Gradio SDK and version, app file, the model repo).
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from huggingface_hub import SpaceCard, SpaceCardData

import indosec
from train.publish.hub import HubError, ValidationError, check_repo_id

APP = '''"""{title}: indosec's page for {model}. Written by scripts/push_to_hub.py --space."""

import indosec
from indosec.app import build_app

build_app(indosec.load("{model}", device="cpu")).launch()
'''


def gradio_version() -> str:
    try:
        return metadata.version("gradio")
    except metadata.PackageNotFoundError:
        raise HubError("--space needs Gradio to pin its version: pip install 'indosec[app]'") from None


def write_space(folder: str | Path, model_repo: str, space_id: str) -> Path:
    """Write the Space folder for `model_repo`; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    title = space_id.split("/")[-1]
    gradio = gradio_version()
    (folder / "app.py").write_text(APP.format(title=title, model=model_repo), encoding="utf-8")
    (folder / "requirements.txt").write_text(f"indosec[app]=={indosec.__version__}\ngradio=={gradio}\n", encoding="utf-8")
    card = SpaceCard.from_template(
        SpaceCardData(title=title, sdk="gradio", sdk_version=gradio, app_file="app.py", models=[model_repo],
                      license="apache-2.0", tags=["indonesian", "security", "news", "text-classification"]),
        template_str="---\n{{ card_data }}\n---\n\n"
        f"# {title}\n\nPaste or upload Indonesian news articles and see every sentence labelled by "
        f"[{model_repo}](https://huggingface.co/{model_repo}) as `security_cooperation`, `attack`, `territorial_claim`, "
        "`propaganda` or `other`; uncertain sentences are marked for a person. Built with `indosec app`.\n",
    )
    card.save(folder / "README.md")
    return folder


def validate_space(folder: str | Path, model_repo: str) -> None:
    """The checks the Hub would fail on later, made now: metadata, app file, pinned requirements."""
    folder, problems = Path(folder), []
    try:
        meta = SpaceCard.load(folder / "README.md").data.to_dict()
    except Exception as e:  # a missing file or a metadata block that does not parse
        raise ValidationError(f"{folder}/README.md: no Space metadata ({e})") from None
    if meta.get("sdk") != "gradio" or meta.get("sdk_version") != gradio_version():
        problems.append(f"README.md: sdk must be gradio {gradio_version()}, got {meta.get('sdk')} {meta.get('sdk_version')}")
    if model_repo not in (meta.get("models") or []):
        problems.append(f"README.md: models must list {model_repo}")
    app = folder / str(meta.get("app_file") or "app.py")
    try:
        source = app.read_text(encoding="utf-8")
        compile(source, str(app), "exec")
        if f'"{model_repo}"' not in source:
            problems.append(f"{app.name}: does not load {model_repo}")
    except (OSError, SyntaxError) as e:
        problems.append(f"{app.name}: {e}")
    requirements = (folder / "requirements.txt").read_text(encoding="utf-8") if (folder / "requirements.txt").is_file() else ""
    for pin in (f"indosec[app]=={indosec.__version__}", f"gradio=={gradio_version()}"):
        if not re.search(rf"^{re.escape(pin)}$", requirements, re.MULTILINE):
            problems.append(f"requirements.txt: must pin {pin}")
    if problems:
        raise ValidationError(f"{folder} is not a working Space:\n  " + "\n  ".join(problems))


def check_space_id(space_id: str) -> str:
    """`org/name` of a Space (a `spaces/` prefix or URL is accepted)."""
    name = space_id.removeprefix("https://huggingface.co/").removeprefix("spaces/")
    try:
        return check_repo_id(name)
    except HubError:
        raise HubError(f"--space {space_id!r} is not a Space id of the form org/name") from None
