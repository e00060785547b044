"""Errors: one line naming file, row and field; a number in the message shows its last 4."""

from cxpipeline.errors import CxError, InputError, mask_numbers


def test_one_line_names_where_and_masks_numbers_in_the_message():
    exc = InputError(
        "value 2125550142 is not dialable", file="list_20261201.csv", row=3, field="phone"
    )
    assert exc.one_line() == ("list_20261201.csv:3: field 'phone': value ***0142 is not dialable")
    assert CxError("1,048,576 rows").one_line() == "1,048,576 rows"


def test_mask_numbers_keeps_short_runs():
    assert mask_numbers("call +1 212 555 0142 or 2125550142, ext 12345") == (
        "call +1 212 555 0142 or ***0142, ext 12345"
    )
