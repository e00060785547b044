"""Output paths a user names: never over the warehouse, the lake, a raw input or a folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cxpipeline.errors import CxError

#: Entries of the home that belong to the pipeline: no output may be written over or inside them.
HOME_ENTRIES = ("warehouse.duckdb", "warehouse.duckdb.wal", "lake", "reference", ".readers")


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies under it."""
    return path == folder or path.is_relative_to(folder)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (also through hard links)."""
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def check_output_file(
    target: Path,
    *,
    home: Path,
    protected: Iterable[Path | str] = (),
    force: bool = False,
    option: str = "--out",
) -> Path:
    """Return `target` when it may be written; else raise a one-line error saying why not."""
    target = Path(target).expanduser()
    resolved = target.resolve()
    if target.is_dir() or resolved.is_dir():
        raise CxError("is a folder: give a file name", file=str(target), field=option)
    owned = [home.resolve() / name for name in HOME_ENTRIES]
    if any(_inside(resolved, entry) for entry in owned) or resolved.name.startswith(".write.lock"):
        raise CxError(
            "is the pipeline's own data (warehouse, lake or reference): write outputs elsewhere",
            file=str(target),
            field=option,
        )
    if target.exists() and any(_same_file(target, Path(p)) for p in protected):
        raise CxError("is an input file of the pipeline: write elsewhere", file=str(target))
    if target.exists() and not force:
        raise CxError("exists: add --force to replace it", file=str(target), field=option)
    return target


def check_output_folder(folder: Path, *, home: Path, option: str = "--out") -> Path:
    """Return `folder` when reports may be written in it (a folder, not the pipeline's data)."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise CxError("is a file: give a folder", file=str(folder), field=option)
    resolved = folder.resolve()
    if any(_inside(resolved, home.resolve() / name) for name in HOME_ENTRIES):
        raise CxError(
            "is inside the pipeline's own data (lake or reference): write reports elsewhere",
            file=str(folder),
            field=option,
        )
    return folder
