"""Report functions over 60 lines and modules over 500 lines in src/ (issue targets).

Run `python scripts/structure.py [PATH...]`; exits 1 when a target is missed. The same check is
a test (tests/test_structure.py), so the targets hold in every commit.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500


def long_functions(path: Path) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function in a file longer than the target."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (child.end_lineno or child.lineno) - child.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append((f"{prefix}{child.name}", lines))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def problems(paths: list[Path]) -> list[str]:
    """Every missed target under the given files or folders, as printable lines."""
    out: list[str] = []
    for base in paths:
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in files:
            n = len(path.read_text(encoding="utf-8").splitlines())
            rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            if n > MAX_MODULE_LINES:
                out.append(f"{rel}: module has {n} lines (> {MAX_MODULE_LINES})")
            for name, lines in long_functions(path):
                out.append(f"{rel}: {name} has {lines} lines (> {MAX_FUNCTION_LINES})")
    return out


def main() -> int:
    """Print the missed targets; exit 1 if there are any."""
    args = [Path(a).resolve() for a in sys.argv[1:]] or [ROOT / "src"]
    found = problems(args)
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
