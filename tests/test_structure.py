"""The house rules of docs/architecture.md: small modules and functions, imports go downward."""

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "cxpipeline"

#: Floors from the bottom; a module may import its own floor or a lower one (longest prefix wins).
FLOORS = {
    "cxpipeline.codes": 0,
    "cxpipeline.errors": 0,
    "cxpipeline.settings": 0,
    "cxpipeline.rejects": 0,
    "cxpipeline.io": 1,
    "cxpipeline.spec": 1,
    "cxpipeline.campaigns.model": 1,
    "cxpipeline.rules": 1,
    "cxpipeline.schemas": 1,
    "cxpipeline.transforms": 2,
    "cxpipeline.reference": 3,
    "cxpipeline.warehouse": 4,
    "cxpipeline.warehouse_comments": 4,
    "cxpipeline.warehouse_files": 4,
    "cxpipeline.warehouse_memory": 4,
    "cxpipeline.warehouse_sandbox": 4,
    "cxpipeline.warehouse_schema": 4,
    "cxpipeline.campaigns": 4,
    "cxpipeline.rules.store": 4,
    "cxpipeline.reports": 4,
    "cxpipeline.generate": 4,
    "cxpipeline.steps": 5,
    "cxpipeline.manifest": 6,
    "cxpipeline.orchestration": 6,
    "cxpipeline.inbox": 6,
    "cxpipeline.demo": 7,
    "cxpipeline.cli": 7,
    "cxpipeline": 0,
}


def floor(module: str) -> int:
    best = max((p for p in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return FLOORS[best]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Project modules a file imports at module level (imports inside functions are lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # TYPE_CHECKING blocks
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cxpipeline")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cxpipeline"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(
                    sub
                    if importlib.util.find_spec(node.module or "") and _is_module(sub)
                    else node.module or ""
                )
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_targets_met_by_every_module_and_function():
    spec = importlib.util.spec_from_file_location("structure", ROOT / "scripts" / "structure.py")
    assert spec and spec.loader
    structure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(structure)
    assert structure.problems([PACKAGE]) == []


def test_imports_only_go_down_a_floor():
    upward = [
        f"{mod} (floor {floor(mod)}) imports {dep} (floor {floor(dep)})"
        for mod, deps in graph().items()
        for dep in deps
        if floor(dep) > floor(mod)
    ]
    assert upward == []


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in edges.get(node, ()):
            if dep == node or dep not in edges:
                continue
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*path[path.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for start in edges:
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_transforms_do_no_io():
    banned = {"duckdb", "yaml", "prefect", "zipcodes"}
    offenders = []
    for path in (PACKAGE / "transforms").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in banned]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith(
                    (
                        "cxpipeline.warehouse",
                        "cxpipeline.reference",
                        "cxpipeline.steps",
                        "cxpipeline.io",
                    )
                )
            ]
    assert offenders == []
