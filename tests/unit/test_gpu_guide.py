"""The README's "First run on a GPU box": the extras its step 1 installs cover every package that
the rehearsal (step 3, `python -m train.rehearse`) imports, in its own process and in each command
it runs, so that the guide and the rehearsal cannot drift apart."""

import re
import sys
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT
from tests.unit.test_architecture import imported_names

PROJECT = ("indosec", "train")


def guide_extras() -> list[str]:
    """The extras of step 1's `pip install -e ".[...]"`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme[readme.index("## First run on a GPU box"):readme.index("2. **Check that torch sees the GPU")]
    return re.search(r'pip install -e "\.\[([\w,]+)\]"', guide).group(1).split(",")


def installed_by(extras: list[str]) -> set[str]:
    """Distributions that `pip install -e .[extras]` brings: pyproject's own lists, then what each
    of those requires in turn (read from the installed metadata)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"] + [r for e in extras for r in project["optional-dependencies"][e]]]
    found = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in found:
            continue
        found.add(name)
        for line in metadata.requires(req.name) or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in req.extras or {""}):
                todo.append(sub)
    return found


def module_file(name: str):
    """The file `python -m name` or `import name` runs, or None outside the project."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def rehearsal_imports() -> dict[str, str]:
    """Top-level third-party module -> a project file importing it (at the top or in a function),
    following the project's own imports from the rehearsal and the commands it runs."""
    source = (ROOT / "train" / "rehearse.py").read_text(encoding="utf-8")
    commands = [ROOT / s for s in re.findall(r'"(scripts/\w+\.py)"', source)]
    commands += [module_file(f"{m}.__main__") or module_file(m) for m in re.findall(r'"-m", "([\w.]+)"', source)]
    assert len(commands) >= 3, "the rehearsal's commands were not found in train/rehearse.py"
    todo, seen, third_party = [ROOT / "train" / "rehearse.py", *commands], set(), {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_names(path):
            top = name.partition(".")[0]
            if top in PROJECT:
                todo += [f for f in [module_file(name)] if f]
            elif top not in sys.stdlib_module_names and top != "__future__":
                third_party.setdefault(top, str(path.relative_to(ROOT)))
    return third_party


def test_the_guides_step_1_installs_every_package_the_rehearsal_imports():
    extras, providers = guide_extras(), metadata.packages_distributions()
    installed = installed_by(extras)
    missing = {module: where for module, where in rehearsal_imports().items()
               if not {canonicalize_name(d) for d in providers.get(module, [module])} & installed}
    assert not missing, (f"README's step 1 installs .[{','.join(extras)}], but the rehearsal imports "
                         + ", ".join(f"{m} ({w})" for m, w in sorted(missing.items())))


def test_the_rehearsal_without_the_fast_extra_stops_at_once_and_says_what_to_install(tmp_path, monkeypatch):
    import importlib.util

    from train import rehearse

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else find_spec(name, *a))
    with pytest.raises(SystemExit, match=r'needs ONNX Runtime: pip install -e "\.\[train,fast\]"'):
        rehearse.main(["--out", str(tmp_path / "rehearsal")])
    assert not (tmp_path / "rehearsal").exists()  # nothing built, nothing trained
