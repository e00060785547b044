"""Headers: a column named like one the pipeline adds is refused instead of vanishing."""

import pytest

from cxpipeline import io
from cxpipeline.errors import InputError


@pytest.mark.parametrize("reserved", ["source_row", "Source_Row", "user_fields"])
def test_a_reserved_column_name_is_a_one_line_error(tmp_path, reserved):
    path = tmp_path / "a.csv"
    path.write_text(f"client_id,phone,{reserved}\n1,2125550142,9\n", encoding="utf-8")
    with pytest.raises(InputError, match="name the pipeline uses itself") as caught:
        io.read_table(path)
    assert caught.value.field == reserved
