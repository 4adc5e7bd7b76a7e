"""Bulk exports: Strava and Garmin account-export archives, read safely in memory.

A *bulk export* is what a service hands a runner who asks for all their data:

* **Strava** ("Download or delete your account" -> "Request your archive"): a
  zip with ``activities.csv`` (one row per activity: "Activity ID",
  "Activity Date", "Activity Name", "Activity Type", "Activity
  Description", ..., "Filename", "Activity Gear", ...) and the original
  uploads in ``activities/`` (``123.fit.gz``, ``456.gpx.gz``, ``789.tcx.gz``,
  plain ``.gpx`` ...).  The same layout unzipped into a folder is accepted too.
* **Garmin Connect** (account data export): a zip whose activity files are in
  *nested* zips, e.g.
  ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip`` holding
  ``*.fit`` files.

Nothing is ever extracted next to the user's files and the archive is only
read.  Members are read into memory (a nested archive is spooled to an
anonymous temporary file once it is larger than :data:`SPOOL_BYTES`).  Every
member is checked before and while it is read:

* a name that is absolute or climbs with ``..`` (*path traversal*, "zip
  slip") is refused with an error row;
* a member larger than :data:`MAX_MEMBER_BYTES` (nested archives:
  :data:`MAX_NESTED_ZIP_BYTES`) uncompressed, or with a compression ratio
  above :data:`MAX_RATIO`, or reading the archive beyond
  :data:`MAX_TOTAL_BYTES` in all, is refused (*decompression bomb*).  Sizes
  are counted on the bytes actually produced, not trusted from the archive's
  directory;
* archives are followed one level deep (as Garmin nests them); an archive
  inside a nested archive is refused.

The limits are module constants read at call time, so a caller (or a test)
may lower them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from typing import NamedTuple

import pandas as pd

from . import MAX_FILE_BYTES

__all__ = [
    "MAX_MEMBER_BYTES", "MAX_NESTED_ZIP_BYTES", "MAX_TOTAL_BYTES", "MAX_RATIO", "MAX_METADATA_BYTES",
    "RATIO_MIN_BYTES", "SPOOL_BYTES", "Member", "is_activity_name", "is_zip_name", "unsafe_member_name", "metadata_key",
    "read_strava_csv", "read_metadata_member", "count_activity_members", "iter_zip", "open_export",
]

#: Largest activity file accepted from an archive, uncompressed [bytes] (as :data:`runlog.io.MAX_FILE_BYTES`).
MAX_MEMBER_BYTES = MAX_FILE_BYTES
#: Largest nested archive (Garmin ``UploadedFiles_*.zip``) accepted, uncompressed [bytes].
MAX_NESTED_ZIP_BYTES = 8 * 1024**3
#: Most bytes decompressed from one export in all, nested archives included [bytes].
MAX_TOTAL_BYTES = 64 * 1024**3
#: Largest compression ratio (uncompressed / compressed size) of a member.  FIT
#: files deflate about 2-6x and GPX/TCX XML about 5-15x; zip bombs reach 1000x.
MAX_RATIO = 100.0
#: The ratio limit applies to members larger than this [bytes] (a bomb must be large to harm).
RATIO_MIN_BYTES = 1024**2
#: Largest ``activities.csv`` read [bytes].
MAX_METADATA_BYTES = 64 * 1024**2
#: Nested archives up to this size stay in memory; larger ones go to an anonymous temporary file [bytes].
SPOOL_BYTES = 64 * 1024**2

_ACTIVITY_RE = re.compile(r"\.(fit|gpx|tcx)(\.gz)?$", re.IGNORECASE)
_CHUNK = 1024 * 1024


class Member(NamedTuple):
    """One activity file found in an archive (or refused).

    Attributes
    ----------
    source : str
        ``'archive.zip!member'`` (nested: ``'archive.zip!inner.zip!member'``).
    name : str
        The member's path inside its own archive.
    data : bytes or None
        The member's content, None when refused.
    error : str or None
        Why the member was refused (an error row), None when read.
    """

    source: str
    name: str
    data: bytes | None
    error: str | None


def is_activity_name(name: str) -> bool:
    """True for ``*.fit``, ``*.gpx``, ``*.tcx`` and their ``.gz``, any letter case,
    except macOS resource forks (``._name``, ``__MACOSX/``).

    Parameters
    ----------
    name : str
        File or archive member name (``/`` or ``\\`` separated).

    Returns
    -------
    bool
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base.startswith("._") or "__MACOSX/" in name.replace("\\", "/"):
        return False
    return bool(_ACTIVITY_RE.search(base))


def is_zip_name(name: str) -> bool:
    """True for a ``*.zip`` name (any letter case), macOS resource forks excluded.

    Parameters
    ----------
    name : str
        File or archive member name.

    Returns
    -------
    bool
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.lower().endswith(".zip") and not base.startswith("._") and "__MACOSX/" not in name


def unsafe_member_name(name: str) -> bool:
    """True when an archive member's name is absolute or climbs out with ``..``.

    Such names are how "zip slip" archives write outside the extraction
    folder; runlog never extracts, but refuses them all the same.

    Parameters
    ----------
    name : str
        Archive member name.

    Returns
    -------
    bool
    """
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return True
    return any(part == ".." for part in n.split("/"))


def metadata_key(name: str) -> str:
    """Key joining a file to its ``activities.csv`` row: the base name in lower
    case without ``.gz`` (``'activities/123.FIT.gz'`` -> ``'123.fit'``).

    Parameters
    ----------
    name : str
        File path or member name (``archive.zip!member`` included).

    Returns
    -------
    str
        The key.
    """
    base = str(name).replace("\\", "/").rsplit("!", 1)[-1].rsplit("/", 1)[-1].lower()
    return base[:-3] if base.endswith(".gz") else base


_STRAVA_COLUMNS = {
    "Activity Name": "name",
    "Activity Description": "description",
    "Activity Gear": "gear",
}


def read_strava_csv(data: bytes, source: str = "activities.csv") -> pd.DataFrame:
    """Parse a Strava ``activities.csv`` into per-file metadata.

    Parameters
    ----------
    data : bytes
        The CSV content (UTF-8, with or without BOM).
    source : str
        Its name, for error messages.

    Returns
    -------
    DataFrame
        Index: :func:`metadata_key` of the "Filename" column (rows without a
        file, e.g. manual entries, are dropped); string columns ``name``,
        ``description``, ``gear`` (from "Activity Name", "Activity
        Description", "Activity Gear"; empty cells are <NA>).  Strava repeats
        some column names ("Distance", "Elapsed Time"); only the first
        "Filename" / name columns are used.

    Raises
    ------
    FileFormatError
        The file has no "Filename" column (not a Strava activities.csv).
    """
    from ..errors import FileFormatError

    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    pos: dict[str, int] = {}
    for i, h in enumerate(header):
        pos.setdefault(h.strip(), i)
    if "Filename" not in pos:
        raise FileFormatError(
            "has no 'Filename' column, so it is not a Strava activities.csv; activity names and gear "
            "are not joined (remove or rename the file to silence this)", source)
    rows = []
    for rec in reader:
        fn = rec[pos["Filename"]].strip() if len(rec) > pos["Filename"] else ""
        if not fn:
            continue
        row: dict[str, str | None] = {"key": metadata_key(fn)}
        for col, out in _STRAVA_COLUMNS.items():
            v = rec[pos[col]].strip() if col in pos and len(rec) > pos[col] else ""
            row[out] = v or None
        rows.append(row)
    df = pd.DataFrame(rows, columns=["key", *_STRAVA_COLUMNS.values()])
    df = df.drop_duplicates("key", keep="first").set_index("key")
    return df.astype("string")


def _limits() -> dict:
    # Read at call time so callers/tests can lower the module constants.
    return {"member": MAX_MEMBER_BYTES, "nested": MAX_NESTED_ZIP_BYTES, "total": MAX_TOTAL_BYTES,
            "ratio": MAX_RATIO}


def _size(n: float) -> str:
    """A byte count in words: '512 bytes', '3.0 KiB', '256 MiB', '8.0 GiB'."""
    for unit, f in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= f:
            v = n / f
            return f"{v:.0f} {unit}" if v >= 10 else f"{v:.1f} {unit}"
    return f"{int(n)} bytes"


class _Budget:
    """Running count of the bytes decompressed from one export."""

    def __init__(self, total: int):
        self.left = total


class _Refused(Exception):
    """A member refused by a safety check (message = the error row's reason)."""


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: _Budget,
                 ratio: float, sink) -> int:
    """Copy one member into *sink* while enforcing the limits; returns its size [bytes]."""
    if info.flag_bits & 0x1:
        raise _Refused("is encrypted; export again without a password")
    if info.file_size > limit:
        raise _Refused(f"is {_size(info.file_size)} uncompressed, above the {_size(limit)} "
                       "limit; not read (possible decompression bomb)")
    if info.file_size > budget.left:
        raise _Refused("would take the archive beyond its total uncompressed size limit "
                       f"({_size(MAX_TOTAL_BYTES)}); not read (possible decompression bomb)")
    comp = max(info.compress_size, 1)
    if info.file_size > RATIO_MIN_BYTES and info.file_size / comp > ratio:
        raise _Refused(f"has a compression ratio of {info.file_size / comp:.0f}:1, above {ratio:.0f}:1; "
                       "not read (possible decompression bomb)")
    n = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(min(_CHUNK, limit + 1 - n, budget.left + 1))
                if not chunk:
                    break
                n += len(chunk)
                budget.left -= len(chunk)
                if n > limit:
                    raise _Refused(f"decompresses to more than {_size(limit)} although the archive "
                                   "says less; not read (decompression bomb)")
                if budget.left < 0:
                    raise _Refused("takes the archive beyond its total uncompressed size limit; "
                                   "not read (decompression bomb)")
                if n > RATIO_MIN_BYTES and n / comp > ratio:
                    raise _Refused(f"decompresses at more than {ratio:.0f}:1; not read (decompression bomb)")
                sink.write(chunk)
    except _Refused:
        raise
    except NotImplementedError as exc:
        raise _Refused(f"uses a compression method Python cannot read ({exc}); re-zip the export with "
                       "standard deflate compression") from exc
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise _Refused(f"is damaged in the archive ({type(exc).__name__}: {exc}); download the export again") \
            from exc
    return n


def read_metadata_member(zf: zipfile.ZipFile, prefix: str) -> tuple[pd.DataFrame | None, tuple | None]:
    """The Strava ``activities.csv`` of an open archive, if any.

    Parameters
    ----------
    zf : zipfile.ZipFile
        An open archive.
    prefix : str
        The archive's path, for the ``archive!member`` name in error rows and
        messages.

    Returns
    -------
    (metadata, error)
        The :func:`read_strava_csv` frame or None, and None or a
        ``(source, reason)`` error row when the file is there but unusable.
    """
    infos = [i for i in zf.infolist()
             if i.filename.replace("\\", "/").rsplit("/", 1)[-1].lower() == "activities.csv"
             and not unsafe_member_name(i.filename) and "__MACOSX/" not in i.filename]
    if not infos:
        return None, None
    info = min(infos, key=lambda i: i.filename.count("/"))
    buf = io.BytesIO()
    try:
        _read_member(zf, info, MAX_METADATA_BYTES, _Budget(MAX_METADATA_BYTES), MAX_RATIO, buf)
        return read_strava_csv(buf.getvalue(), f"{prefix}!{info.filename}"), None
    except _Refused as exc:
        return None, (f"{prefix}!{info.filename}", str(exc))
    except ValueError as exc:  # FileFormatError
        return None, (f"{prefix}!{info.filename}", getattr(exc, "reason", str(exc)))


def count_activity_members(zf: zipfile.ZipFile) -> tuple[int, int]:
    """(activity files, nested archives) listed in an archive's directory.

    Parameters
    ----------
    zf : zipfile.ZipFile
        An open archive.

    Returns
    -------
    (int, int)
        Members named like activity files (:func:`is_activity_name`) and like
        archives (:func:`is_zip_name`).
    """
    names = [i.filename for i in zf.infolist() if not i.is_dir()]
    return (sum(is_activity_name(n) for n in names), sum(is_zip_name(n) for n in names))


def iter_zip(zf: zipfile.ZipFile, prefix: str, *, depth: int = 0, budget: _Budget | None = None,
             on_nested=None) -> Iterator[Member]:
    """Yield the activity files of an open archive, following nested archives one level.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive.
    prefix : str
        Its name, prefixed to member names in ``Member.source``.
    depth : int
        0 for the export itself, 1 inside a nested archive (archives found
        there are refused).
    budget : optional
        Shared count of decompressed bytes (created when None).
    on_nested : callable, optional
        Called with the number of activity files a nested archive lists, once
        it is opened (to grow a progress bar's total).

    Yields
    ------
    Member
        Activity files (``data``) and refused members (``error``), in archive
        order.  Other members (JSON, CSV, images) are ignored.
    """
    lim = _limits()
    budget = budget if budget is not None else _Budget(lim["total"])
    for info in zf.infolist():
        name = info.filename
        if info.is_dir():
            continue
        act, arch = is_activity_name(name), is_zip_name(name)
        source = f"{prefix}!{name}"
        if unsafe_member_name(name):
            yield Member(source, name, None,
                         "member name is absolute or climbs out of the archive with '..' (path traversal); "
                         "ignored: the archive may be malicious")
            continue
        if act:
            buf = io.BytesIO()
            try:
                _read_member(zf, info, lim["member"], budget, lim["ratio"], buf)
            except _Refused as exc:
                yield Member(source, name, None, str(exc))
                continue
            yield Member(source, name, buf.getvalue(), None)
        elif arch:
            if depth >= 1:
                yield Member(source, name, None,
                             "archive nested two levels deep; runlog follows one level (as Garmin exports "
                             "nest them); unzip it and import the folder")
                continue
            spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed in the finally
            try:
                try:
                    _read_member(zf, info, lim["nested"], budget, lim["ratio"], spool)
                    spool.seek(0)
                    inner = zipfile.ZipFile(spool)
                except _Refused as exc:
                    yield Member(source, name, None, str(exc))
                    continue
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    yield Member(source, name, None,
                                 f"nested archive is not a readable zip ({exc}); download the export again")
                    continue
                with inner:
                    if on_nested is not None:
                        on_nested(count_activity_members(inner)[0])
                    yield from iter_zip(inner, source, depth=depth + 1, budget=budget)
            finally:
                spool.close()


def open_export(path: str | os.PathLike) -> zipfile.ZipFile:
    """Open an export archive for reading (raises ``zipfile.BadZipFile`` / ``OSError``).

    Parameters
    ----------
    path : str or PathLike
        The archive.

    Returns
    -------
    zipfile.ZipFile
        Open for reading; the caller closes it.
    """
    return zipfile.ZipFile(os.fspath(path), "r")
