"""Unpack an uploaded zip of images without trusting it.

`safe_extract(zip_source, dest)` refuses, before writing anything: names with `..` or an absolute
path, symlinks, more than `max_files` members, more than `max_total_bytes` declared uncompressed, and a
compression ratio over `MAX_RATIO` (a member, or the whole zip against its real size: a 1 MiB zip that
unpacks to 1 GiB is a bomb even when under the size cap). While extracting it also counts the bytes
actually written, so a member that lies about its size in the header is stopped at the first of its
declared size, the size cap and `MAX_RATIO` times the zip's real size, and the partial folder removed.
Hidden and system files (`__MACOSX/`, `.DS_Store`, `Thumbs.db`, dot-files) are skipped. Used by
`modelkit.vision.data` (training data) and the image predictor (batch prediction). No torch import here.
"""
from __future__ import annotations

import io
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from business.limits import GIB, MIB, binary_size
from modelkit.errors import DataError

MAX_FILES = 20_000
MAX_TOTAL_BYTES = GIB  # uncompressed
# Photos and PNGs hardly compress (about 1:1); raw or flat images can reach 1:20 or so. 1:100 leaves room
# for those and refuses bombs (1:1000 and more). Below the floor a high ratio cannot hurt: a 10 KiB
# all-white image may compress 1:500.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = MIB
CHUNK_BYTES = MIB
SYSTEM_NAMES = {"__macosx", ".ds_store", "thumbs.db", "desktop.ini", "icon\r", ".spotlight-v100", ".trashes"}


class ImageDataError(DataError):
    """Any reason a set of images cannot be used (a ValueError, so pages can st.error it)."""


class UnsafeZipError(ImageDataError):
    pass


class ZipTooLargeError(ImageDataError):
    pass


def is_hidden(parts: tuple[str, ...] | list[str]) -> bool:
    """Dot-files, macOS resource forks and Windows thumbnails: never data."""
    return any(part.startswith(".") or part.lower() in SYSTEM_NAMES for part in parts)


def member_parts(name: str) -> tuple[str, ...]:
    """The path parts of a member name; raises UnsafeZipError for anything that could leave dest."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        raise UnsafeZipError(f"the zip holds an absolute path ({name!r}); refusing to unpack it")
    parts = tuple(part for part in PurePosixPath(normalised).parts if part not in ("", "."))
    if ".." in parts:
        raise UnsafeZipError(f"the zip holds a path that climbs out of its folder ({name!r}); refusing to unpack it")
    return parts


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def source_size(source) -> int:
    """The zip's real size in bytes (what a bomb cannot lie about): bytes, a path or a seekable file."""
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    if isinstance(source, (str, Path)):
        try:
            return Path(source).stat().st_size
        except OSError:
            return 0  # open_zip says what is wrong with it
    position = source.seek(0, io.SEEK_END)
    source.seek(0)
    return position


def unpack_cap(zip_bytes: int, max_total_bytes: int) -> int:
    """The most bytes this zip may unpack to: the size cap, or MAX_RATIO times its real size if less."""
    return min(max_total_bytes, max(RATIO_FLOOR_BYTES, MAX_RATIO * zip_bytes))


def open_zip(source) -> zipfile.ZipFile:
    data = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        return zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImageDataError(f"the upload is not a readable zip file ({error})") from None


def plan_members(archive: zipfile.ZipFile, max_files: int, max_total_bytes: int,
                 zip_bytes: int) -> list[tuple[zipfile.ZipInfo, tuple]]:
    """Every member checked from the central directory, before one byte is written."""
    infos = archive.infolist()
    if len(infos) > max_files:
        raise ZipTooLargeError(f"the zip holds {len(infos):,} entries; the limit is {max_files:,}")
    declared = sum(info.file_size for info in infos)
    if declared > max_total_bytes:
        raise ZipTooLargeError(f"the zip would unpack to {binary_size(declared)}; the limit is "
                               f"{binary_size(max_total_bytes)} (a zip bomb, or too much data for one upload)")
    for info in infos:
        require_ratio(info)
    if declared > unpack_cap(zip_bytes, max_total_bytes):
        raise ZipTooLargeError(f"the zip is {binary_size(zip_bytes)} and would unpack to {binary_size(declared)} "
                               f"({declared / max(zip_bytes, 1):,.0f}:1); the limit is {MAX_RATIO}:1 - a zip bomb?")
    planned = []
    for info in infos:
        parts = member_parts(info.filename)
        if is_symlink(info):
            raise UnsafeZipError(f"the zip holds a symbolic link ({info.filename!r}); refusing to unpack it")
        if info.is_dir() or not parts or is_hidden(parts):
            continue
        planned.append((info, parts))
    return planned


def require_ratio(info: zipfile.ZipInfo) -> None:
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ZipTooLargeError(
            f"{info.filename!r} would unpack from {binary_size(info.compress_size)} to {binary_size(info.file_size)} "
            f"({info.file_size / max(info.compress_size, 1):,.0f}:1); the limit is {MAX_RATIO}:1 - a zip bomb?")


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Streams one member; stops as soon as it passes its declared size or the remaining budget."""
    written = 0
    limit = min(info.file_size, budget)
    with archive.open(info) as source, target.open("wb") as sink:
        while chunk := source.read(CHUNK_BYTES):
            written += len(chunk)
            if written > limit:
                raise ZipTooLargeError(f"{info.filename!r} unpacks to more bytes than its header says or than "
                                       f"the limits allow ({MAX_RATIO}:1 and {binary_size(MAX_TOTAL_BYTES)} in "
                                       f"all); refusing the zip")
            sink.write(chunk)
    return written


def safe_extract(source, dest: str | Path, max_files: int = MAX_FILES,
                 max_total_bytes: int = MAX_TOTAL_BYTES) -> Path:
    """Unpack `source` (a path, a file object or bytes) into `dest`; returns dest. Refuses unsafe zips."""
    dest = Path(dest)
    zip_bytes = source_size(source)
    with open_zip(source) as archive:
        planned = plan_members(archive, max_files, max_total_bytes, zip_bytes)
        dest.mkdir(parents=True, exist_ok=True)
        remaining = unpack_cap(zip_bytes, max_total_bytes)  # in case the headers lie
        try:
            for info, parts in planned:
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                remaining -= copy_member(archive, info, target, remaining)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
            shutil.rmtree(dest, ignore_errors=True)
            if isinstance(error, ImageDataError):
                raise
            raise ImageDataError(f"the zip is damaged ({error})") from None
    return dest
