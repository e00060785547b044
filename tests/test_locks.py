"""The two lock files: the run's pins are the dev lock's, without the test and lint tools."""

from __future__ import annotations

import re
import tomllib

from cxpipeline.settings import REPO_ROOT

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(file: str) -> dict[str, str]:
    text = (REPO_ROOT / file).read_text(encoding="utf-8")
    return {_canonical(name): version for name, version in _PIN.findall(text)}


def _requirements(group: list[str]) -> set[str]:
    return {_canonical(m.group(1)) for item in group if (m := _NAME.match(item))}


def test_the_run_lock_pins_the_dev_locks_versions_and_no_tool():
    run, dev = _pins("requirements-lock.txt"), _pins("requirements-dev-lock.txt")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    tools = _requirements(project["optional-dependencies"]["dev"])
    assert run and set(run) < set(dev)
    assert {name: v for name, v in run.items() if dev[name] != v} == {}
    # What a run imports is pinned; the test and lint tools (pandera would import
    # hypothesis at a command's first validation) are not installed for it.
    assert _requirements(project["dependencies"]) <= set(run)
    assert tools <= set(dev) and not tools & set(run)
