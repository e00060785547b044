"""Output paths: never the warehouse, the lake, an input or a folder; replacing needs force."""

import pytest

from cxpipeline.errors import CxError
from cxpipeline.io import outputs


def test_a_new_file_beside_the_home_may_be_written(tmp_path):
    target = tmp_path / "out" / "list.csv"
    assert outputs.check_output_file(target, home=tmp_path / "home") == target


@pytest.mark.parametrize(
    "relative", ["home/warehouse.duckdb", "home/lake/contacts/x.parquet", "home/reference/z"]
)
def test_the_pipelines_own_data_is_refused_even_with_force(tmp_path, relative):
    with pytest.raises(CxError, match="pipeline's own data"):
        outputs.check_output_file(tmp_path / relative, home=tmp_path / "home", force=True)


def test_a_symlink_to_the_warehouse_is_refused(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "warehouse.duckdb").write_bytes(b"db")
    link = tmp_path / "innocent.csv"
    link.symlink_to(tmp_path / "home" / "warehouse.duckdb")
    with pytest.raises(CxError, match="own data"):
        outputs.check_output_file(link, home=tmp_path / "home", force=True)


def test_a_folder_an_input_or_an_existing_file_without_force(tmp_path):
    with pytest.raises(CxError, match="folder"):
        outputs.check_output_file(tmp_path, home=tmp_path / "home", force=True)
    source = tmp_path / "contacts.csv"
    source.write_text("x")
    with pytest.raises(CxError, match="input file"):
        outputs.check_output_file(source, home=tmp_path / "h", protected=[source], force=True)
    with pytest.raises(CxError, match="--force"):
        outputs.check_output_file(source, home=tmp_path / "h")
    assert outputs.check_output_file(source, home=tmp_path / "h", force=True) == source


def test_a_report_folder_must_be_a_folder_outside_the_lake(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(CxError, match="is a file"):
        outputs.check_output_folder(tmp_path / "f", home=tmp_path / "home")
    with pytest.raises(CxError, match="own data"):
        outputs.check_output_folder(tmp_path / "home" / "lake", home=tmp_path / "home")
    assert outputs.check_output_folder(tmp_path / "r", home=tmp_path / "home") == tmp_path / "r"
