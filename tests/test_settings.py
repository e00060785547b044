"""Settings: a home that is a file is a one-line error; input limits have sane defaults."""

import pytest

from cxpipeline.errors import CxError
from cxpipeline.settings import Settings


def test_a_home_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "warehouse.csv"
    path.write_text("x")
    with pytest.raises(CxError, match="must be a folder") as caught:
        Settings.build(path)
    assert caught.value.field == "--home"


def test_input_limits_default_to_bounds_a_real_list_never_meets(tmp_path):
    limits = Settings.build(tmp_path).input_limits
    assert limits.max_columns >= 200 and limits.max_field_chars >= 1_000
    assert limits.max_sheet_cells >= 1_000_000 and limits.max_phone_columns >= 10
