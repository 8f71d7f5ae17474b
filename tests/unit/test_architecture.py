"""docs/architecture.md's rules, checked on the source: what may import what (its table), no
import cycles, no train module importing more than 8 modules of the two packages, indosec not
pulling training code or its dependencies in at run time, and no source file over 300 lines."""

import ast
import re
import subprocess
import sys

from tests.conftest import ROOT

PACKAGES = ("indosec", "train")
MAX_IMPORTS = 8
MAX_LINES = 300


def modules() -> dict:
    """Dotted name -> path of every module of the two packages (a package is its __init__.py)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = modules()


def imported_names(path) -> list[str]:
    """Every absolute import of a source file, at the top or inside a function: each module,
    and for `from m import x` also `m.x` (x may be a module)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names


def imports(name: str) -> set:
    """The project modules `name` imports, at the top or inside a function."""
    found = set()
    for target in imported_names(MODULES[name]):
        while target and target not in MODULES:  # an imported name: the module it lies in
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def rules() -> dict:
    """area -> the areas it may import, from the table under "What may import what"."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## What may import what", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in table.splitlines() if line.startswith("| `")]
    return {re.findall(r"`([^`]+)`", area)[0]: set(re.findall(r"`([\w.]+)`", allowed)) for area, _, allowed in rows}


RULES = rules()


def area(name: str) -> str:
    matches = [a for a in RULES if name == a or name.startswith(a + ".")]
    assert matches, f"{name} belongs to no area of docs/architecture.md"
    return max(matches, key=len)


def test_every_module_belongs_to_an_area_and_imports_only_what_its_area_may():
    broken = [f"{src} imports {dst}" for src, targets in GRAPH.items() for dst in sorted(targets)
              if area(dst) != area(src) and not any(dst == a or dst.startswith(a + ".") for a in RULES[area(src)])]
    assert broken == []


def test_indosec_never_imports_train():
    assert not [src for src, targets in GRAPH.items() if src.startswith("indosec") and any(t.startswith("train") for t in targets)]


def test_there_are_no_import_cycles():
    state, cycles = {}, []

    def visit(name, path):
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_train_module_imports_more_than_eight_others():
    assert {name: len(t) for name, t in GRAPH.items() if name.startswith("train") and len(t) > MAX_IMPORTS} == {}


def test_no_source_file_is_over_300_lines():
    files = [p for folder in ("indosec", "train", "scripts", "tests") for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".j2")]
    files += [ROOT / "Makefile"]
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_inference_package_loads_no_training_code_or_dependencies():
    """At run time too: nothing of train, nor datasets, accelerate, scikit-learn or ONNX (fast
    mode imports ONNX Runtime when it is asked for)."""
    code = ("import sys, indosec, indosec.cli, indosec.document, indosec.fast, indosec.locate, indosec.safety\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'train', 'datasets', 'accelerate', 'sklearn', 'onnx', 'onnxruntime'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
