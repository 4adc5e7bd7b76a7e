"""Readers: FIT, GPX and TCX activity files (plain or ``.gz``) into :class:`~runlog.io.Activity`.

Each format module exposes ``decode(data: bytes, source: str) -> list[RawActivity]``
(one entry per session); this module picks the decoder from the content,
turns every decoder failure into :class:`~runlog.errors.FileFormatError` and
hands the result to :func:`runlog.io.finalize`.
"""

from __future__ import annotations

import functools
import os
import stat
import warnings
import zlib
from importlib import resources

from ..errors import FileFormatError
from ._activity import Activity, finalize, local_time, make_run_id, resolve_tz
from ._common import RawActivity, RecordArrays

__all__ = [
    "Activity", "finalize", "make_run_id", "resolve_tz", "local_time",
    "RawActivity", "RecordArrays", "read_activity", "read_activities", "read_fit", "read_gpx", "read_tcx",
    "sniff_format", "load_bytes", "open_user_file", "MAX_FILE_BYTES", "EXAMPLE_FIT",
]

#: A real FIT file shipped with the package (``runlog/data/example_triathlon_fr920xt.fit``; MIT,
#: from python-fitparse's test files, see ``runlog/data/SOURCES.md``): a Garmin Forerunner 920XT
#: triathlon in 4 chained FIT files whose run carries running dynamics, for trying the readers and
#: :func:`runlog.plot.form_trace` without files of your own.
EXAMPLE_FIT = str(resources.files("runlog").joinpath("data", "example_triathlon_fr920xt.fit"))

#: Largest activity file (after gunzip) runlog will decode [bytes].  A real
#: ultra-marathon FIT file at 1 Hz is ~10 MB; a GPX of it ~40 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024


#: What a file that is not a regular file is, for messages (``stat.S_IFMT`` -> words).
_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def _not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not opened, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return f"is {kind}, not a regular file; not opened"


def open_user_file(path, err=FileFormatError, folder_hint: str = ""):
    """Open a user's file for reading in binary mode, only if it is a regular file.

    Named pipes, sockets and devices are never read (reading a pipe would wait
    forever for a writer): the file is opened non-blocking and checked with
    ``fstat`` before anything is read, so a file swapped in between is caught
    too.  A symbolic link is followed; one whose target is missing is a
    *broken link*.

    Parameters
    ----------
    path : str or PathLike
    err : type, default FileFormatError
        Error class raised, called as ``err(message, path)``
        (:class:`~runlog.errors.FileFormatError`, :class:`~runlog.errors.JournalError`, ...).
    folder_hint : str, optional
        Appended to the message when *path* is a folder.

    Returns
    -------
    file object
        Open in ``'rb'`` mode; the caller closes it.

    Raises
    ------
    err
        The file is missing, a broken link, a folder, not a regular file or
        cannot be read; the message says which, in one line.
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as exc:
        if os.path.islink(name):
            try:
                target = os.readlink(name)
            except OSError:
                target = "?"
            raise err(f"is a broken link (it points to {target}, which does not exist); fix or delete the link",
                      name) from exc
        raise err("no such file; check the path", name) from exc
    except IsADirectoryError as exc:
        raise err(f"is a folder, not a file{folder_hint}", name) from exc
    except PermissionError as exc:
        raise err(f"cannot be read ({exc.strerror or exc}); check its permissions", name) from exc
    except OSError as exc:  # e.g. a socket (ENXIO)
        try:
            why = _not_regular(os.stat(name).st_mode)
        except OSError:
            why = None
        raise err(why or f"cannot be read ({exc.strerror or exc})", name) from exc
    try:
        why = _not_regular(os.fstat(fd).st_mode)
    except OSError as exc:
        os.close(fd)
        raise err(f"cannot be read ({exc.strerror or exc})", name) from exc
    if why is not None:
        os.close(fd)
        raise err(why + (folder_hint if why.startswith("is a folder") else ""), name)
    return os.fdopen(fd, "rb")


def load_bytes(source, data: bytes | None = None) -> tuple[bytes, str]:
    """Read *source* (path) or take *data*, gunzip if needed.

    Parameters
    ----------
    source : str or PathLike
        The file's path (also its name when *data* is given).
    data : bytes, optional
        The content, already read (e.g. from an archive).

    Returns
    -------
    (data, name) : bytes and the file name without a ``.gz`` suffix.

    Raises
    ------
    FileFormatError
        When the file cannot be read, is too large, or is a damaged gzip file.
    """
    name = os.fspath(source)
    if data is None:
        with open_user_file(name, folder_hint="; use runlog.read_history for folders") as fh:
            try:
                if os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES:
                    raise FileFormatError(
                        f"is larger than {MAX_FILE_BYTES // 2**20} MiB; not an activity file", name)
                data = fh.read()
            except OSError as exc:
                raise FileFormatError(f"cannot be read ({exc.strerror or exc})", name) from exc
    if data[:2] == b"\x1f\x8b":
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(data, MAX_FILE_BYTES + 1)
        except zlib.error as exc:
            raise FileFormatError(f"is a damaged gzip file ({exc})", name) from exc
        if len(out) > MAX_FILE_BYTES:
            raise FileFormatError(
                f"decompresses to more than {MAX_FILE_BYTES // 2**20} MiB; not an activity file "
                "(possible decompression bomb)", name)
        data = out
        if name.lower().endswith(".gz"):
            name = name[:-3]
    elif len(data) > MAX_FILE_BYTES:
        raise FileFormatError(f"is larger than {MAX_FILE_BYTES // 2**20} MiB; not an activity file", name)
    return data, name


def sniff_format(data: bytes, name: str = "") -> str | None:
    """Guess 'fit', 'gpx' or 'tcx' from the content (falling back to the extension).

    Parameters
    ----------
    data : bytes
        The file's content (gunzipped).
    name : str
        The file name, for the extension.

    Returns
    -------
    str or None
        ``'fit'``, ``'gpx'``, ``'tcx'``, or None when neither tells.
    """
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") or head.startswith(b"\x00<") or head.startswith(b"<\x00"):
        if b"<gpx" in head:
            return "gpx"
        if b"trainingcenterdatabase" in head:
            return "tcx"
    ext = os.path.splitext(name.lower())[1]
    return {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx"}.get(ext)


def _decoder(fmt: str):
    if fmt == "fit":
        from . import fit
        return functools.partial(fit.decode, frames=False)  # arrays: finalize builds the one frame
    if fmt == "gpx":
        from . import gpx
        return gpx.decode
    if fmt == "tcx":
        from . import tcx
        return tcx.decode
    raise ValueError(fmt)  # pragma: no cover


def read_activities(path, *, tz=None, data: bytes | None = None, fmt: str | None = None) -> list[Activity]:
    """Read every session of an activity file.

    Parameters
    ----------
    path : str or PathLike
        FIT, GPX or TCX file, optionally gzip-compressed (``.fit.gz`` ...).
    tz : str, optional
        Time zone (IANA name such as ``'Europe/Berlin'`` or ``'+02:00'``)
        overriding the one found in the file.
    data : bytes, optional
        The file's content, when it is not on disk (e.g. a zip member); *path*
        then only names it.
    fmt : {'fit', 'gpx', 'tcx'}, optional
        Force a format instead of sniffing the content.

    Returns
    -------
    list of Activity
        One per session (multisport and chained FIT files have several).

    Raises
    ------
    FileFormatError
        The file cannot be used; the message says why and names the file.
    """
    data, name = load_bytes(path, data)
    src = os.fspath(path)
    fmt = fmt or sniff_format(data, name)
    if fmt is None:
        raise FileFormatError(
            "is not a FIT, GPX or TCX activity file (unrecognised content and extension)", src)
    decode = _decoder(fmt)
    try:
        raws = decode(data, src)
    except FileFormatError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise FileFormatError(f"is too large or too deeply nested to decode as {fmt.upper()}", src) from exc
    except Exception as exc:  # decoder bug or damage it did not anticipate
        raise FileFormatError(
            f"could not be decoded as {fmt.upper()} ({type(exc).__name__}: {exc})", src) from exc
    acts = []
    for raw in raws:
        info = dict(raw.info)
        info.setdefault("source", src)
        info.setdefault("format", fmt)
        try:
            acts.append(finalize(raw.records, raw.laps, info, tz=tz))
        except Exception as exc:  # e.g. an unknown time zone name, absurd values
            raise FileFormatError(
                f"was decoded as {fmt.upper()} but its records could not be used "
                f"({type(exc).__name__}: {exc})", src) from exc
    acts = [a for a in acts if len(a.records)]
    if not acts:
        raise FileFormatError("holds no timed records: nothing to analyse", src)
    return acts


def _pick_main(acts: list[Activity]) -> Activity:
    if len(acts) == 1:
        return acts[0]
    def key(a):
        running = str(a.info.get("sport")) == "running"
        return (running, len(a.records))
    best = max(acts, key=key)
    warnings.warn(
        f"{best.info['source']}: file has {len(acts)} sessions; returning session "
        f"{best.info.get('session')} ({best.info.get('sport')}). Use runlog.read_activities "
        "to get all of them.", stacklevel=3)
    return best


def read_activity(path, *, tz=None) -> Activity:
    """Read one activity file (FIT, GPX or TCX, optionally ``.gz``).

    The format is taken from the content, not only the extension.  For a
    multisport or chained file with several sessions this returns the main
    one (the running session with the most records, else the longest) with a
    warning; :func:`read_activities` returns them all.

    Parameters
    ----------
    path : str or PathLike
    tz : str, optional
        Time zone override (IANA name or fixed offset like ``'+02:00'``).

    Returns
    -------
    Activity

    Raises
    ------
    FileFormatError
        With ``.path`` set and the decoder's error chained.
    """
    return _pick_main(read_activities(path, tz=tz))


def read_fit(path, *, tz=None) -> Activity:
    """Read a FIT file (or ``.fit.gz``); see :func:`read_activity`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    tz : str, optional
        Time zone override (IANA name or fixed offset like ``'+02:00'``).

    Returns
    -------
    Activity
        The main session (:func:`read_activity`).
    """
    return _pick_main(read_activities(path, tz=tz, fmt="fit"))


def read_gpx(path, *, tz=None) -> Activity:
    """Read a GPX file (or ``.gpx.gz``); see :func:`read_activity`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    tz : str, optional
        Time zone override (IANA name or fixed offset like ``'+02:00'``).

    Returns
    -------
    Activity
        The main track (:func:`read_activity`).
    """
    return _pick_main(read_activities(path, tz=tz, fmt="gpx"))


def read_tcx(path, *, tz=None) -> Activity:
    """Read a TCX file (or ``.tcx.gz``); see :func:`read_activity`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    tz : str, optional
        Time zone override (IANA name or fixed offset like ``'+02:00'``).

    Returns
    -------
    Activity
        The main activity (:func:`read_activity`).
    """
    return _pick_main(read_activities(path, tz=tz, fmt="tcx"))
