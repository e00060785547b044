"""Errors that the CLI reports as one line (file, row, field), never as a traceback."""

from __future__ import annotations

import re


class CxError(Exception):
    """A user-facing error: bad input, bad settings or a missing object."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        super().__init__(self.one_line())

    def at_file(self, file: str) -> CxError:
        """Return the same error naming `file` when it names none yet."""
        if self.file:
            return self
        return type(self)(self.message, file=file, row=self.row, field=self.field)

    def one_line(self) -> str:
        """Render as `file:row: field: message` with the parts that are known."""
        where = []
        if self.file:
            where.append(str(self.file) + (f":{self.row}" if self.row is not None else ""))
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ": ".join(where)
        message = mask_numbers(self.message)
        return f"{prefix}: {message}" if prefix else message


_DIGIT_RUN = re.compile(r"\d{3,}(\d{4})")


def mask_numbers(text: str) -> str:
    """Mask every run of 7+ digits to its last 4 ('***0142'): a message never shows a number."""
    return _DIGIT_RUN.sub(r"***\1", text)


class InputError(CxError):
    """The input file cannot be read or mapped at all."""


class SpecError(CxError):
    """The import spec YAML is invalid (reported before any data is written)."""


class CampaignError(CxError):
    """The campaign model (YAML or warehouse) is inconsistent."""
