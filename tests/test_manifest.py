"""Run manifests: read and validated, paths resolved, mistakes one line naming the field."""

from pathlib import Path

import pytest

from cxpipeline.errors import InputError
from cxpipeline.manifest import load_manifest
from cxpipeline.settings import REPO_ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_manifest_names_every_sample_file():
    manifest = load_manifest(REPO_ROOT / "data" / "sample" / "run.yaml")
    sample = REPO_ROOT / "data" / "sample"
    assert manifest.campaigns == sample / "campaigns.yaml"
    assert [(i.list_name, i.group, i.mode) for i in manifest.lists] == [
        ("east_q4", "collections_east", "replace"),
        ("east_retry", "collections_east", "replace"),
        ("west_q4", "collections_west", "replace"),
    ]
    assert all(i.file.exists() for i in manifest.lists)
    assert [s.name for s in manifest.suppression] == ["client_dnc"]
    assert manifest.results == (sample / "call_results.csv",)
    assert manifest.reports is not None and manifest.reports.formats == ("html", "xlsx", "csv")


def test_input_paths_are_relative_to_the_manifest(tmp_path):
    (tmp_path / "in").mkdir()
    path = write(
        tmp_path,
        "lists:\n  - {file: in/a.csv, list: a, group: g, spec: in/s.yaml, mode: append}\n"
        "results: [r.csv]\nreports: {dir: out}\n",
    )
    manifest = load_manifest(path)
    item = manifest.lists[0]
    assert item.file == tmp_path / "in" / "a.csv" and item.spec == tmp_path / "in" / "s.yaml"
    assert item.mode == "append"
    assert manifest.results == (tmp_path / "r.csv",)
    # the report folder stays relative: the orchestration puts it under the home
    assert manifest.reports is not None and manifest.reports.dir == Path("out")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("lists:\n  - {file: a.csv, list: a, groop: g}\n", "lists.0"),
        ("lists:\n  - {file: a.csv, list: a, group: g, mode: merge}\n", "lists.0.mode"),
        ("campaign: c.yaml\n", "campaign"),
        ("horizon_days: 0\n", "horizon_days"),
    ],
)
def test_mistakes_are_one_line_naming_the_field(tmp_path, text, field):
    with pytest.raises(InputError) as caught:
        load_manifest(write(tmp_path, text))
    message = caught.value.one_line()
    assert "run.yaml" in message and field in message and "\n" not in message


def test_not_yaml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid YAML at line 2"):
        load_manifest(write(tmp_path, "lists: [a\nb: : c\n"))
    with pytest.raises(InputError, match="manifest not found"):
        load_manifest(tmp_path / "none.yaml")
