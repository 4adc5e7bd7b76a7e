"""GPX track points straight from the XML tree to arrays (the fast path of :mod:`runlog.io.gpx`).

gpxpy builds a Python object per track point (25 slots, a deep copy of
every extension element, a ``datetime`` with its own time-zone object) and
runlog then walks those objects again.  For a watch history of thousands
of files that is most of the reading time.  This module reads the same
values from the element tree in one pass and converts the times in one
vectorised step, and still gives the same frames, warnings and errors as
the gpxpy path:

* **Same parser, same document.**  The text is changed exactly as
  gpxpy's ``GPXParser.parse`` changes it (the first default ``xmlns="..."``
  removed) and parsed with :func:`xml.etree.ElementTree.XML`, the standard
  library's C parser that gpxpy itself uses when lxml is absent; the track
  points never go through lxml, installed or not.
  The caller has already refused any DTD (:func:`runlog.io._xml.reject_dtd`
  scans the whole prolog; a DTD after it is a syntax error of the parser),
  so no entity can be declared, let alone expanded.
* **Same selection.**  Points are the ``<trkpt>`` children of the
  ``<trkseg>`` children of the ``<trk>`` children of the root, in file
  order, as the GPX schema nests them; each value is the first
  matching child (``find``), as gpxpy reads it.  GPX 1.0 (any ``version``
  other than '1.1') has ``<speed>`` and no extensions, GPX 1.1 the other way
  round.
* **Same validation.**  Where gpxpy would reject a point (missing or
  non-numeric ``lat``/``lon``, a non-numeric ``<ele>``/``<speed>``), or a
  point holds a typed child whose text is not of its GPX schema type
  (``<hdop>``, ``<sat>``, ``<fix>``, ...: :data:`_TYPED_11`, checked as
  gpxpy converts them, ``float``/``int`` of the stripped text), this path
  gives up and the caller runs gpxpy, which then reads the file or raises
  its own message.
* **The rest from gpxpy, through its public API.**  After the points are
  taken they are removed from the tree, and the rest (creator, track types
  and names, routes, waypoints) is written back to text and read by
  ``gpxpy.parse``, so gpxpy reads and checks it as it reads any file; none
  of gpxpy's private field tables is used.  The tree is bounded first
  (:func:`runlog.io._xml.check_tree_bounds`): gpxpy deep-copies extensions.
* **Times.**  ``<time>`` strings in the usual ISO 8601 forms (``Z``,
  ``+hh:mm``, ``+hhmm``, ``+hh`` or no zone; 0-15 fraction digits,
  truncated to microseconds like gpxpy) are converted with numpy in one
  go; any other string (an odd form, an impossible date, a year outside
  1900-2199) is read by gpxpy itself (:func:`odd_times_s`: one small
  document through ``gpxpy.parse``), so the result is the same either way.

:func:`read_points` returns None whenever it cannot promise that (malformed
XML, a repair that fails, a value gpxpy rejects);
:func:`runlog.io.gpx.decode` then uses the gpxpy path.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np

from ..errors import FileFormatError
from ._xml import MAX_XML_DEPTH, XmlRecoveryWarning, check_extension_block, check_tree_bounds, parse_declaring_prefixes

__all__ = ["read_points", "parse_tree", "iso_times_s", "odd_times_s", "XMLParser"]

#: The parser class behind :func:`xml.etree.ElementTree.XML` (the C accelerator; never lxml).
XMLParser = ET.XMLParser

#: gpxpy.parser.GPXParser.parse removes the first default namespace declaration before parsing.
_DEFAULT_NS = re.compile(r"""\sxmlns=(['"])[^'"]+\1""")

#: Point fields this module reads (and checks) itself; gpxpy's field objects check the other typed ones.
_READ_HERE = ("ele", "time", "speed")


def _local_lower(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def _float_or_none(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def _column_list(tag, extension_columns: dict, ext_rows: dict):
    """(column, append to its point indices, append to its texts) for an extension tag, or False (not read)."""
    col = extension_columns.get(_local_lower(tag), "")
    if not col:
        return False
    idx, texts = ext_rows.setdefault(col, ([], []))
    return col, idx.append, texts.append


#: The typed children of a track point (GPX 1.1 schema ``wptType``; GPX 1.0 adds ``course``) other than those
#: read here, and the check of their text (the schema's types: decimal, nonNegativeInteger, dgpsStationType,
#: fixType).  A point whose text fails a check makes this path decline the file; gpxpy then reads it and
#: decides (it accepts what these accept: ``float``/``int`` of the stripped text, and the fix names).
_FIX_TYPES = frozenset({"none", "2d", "3d", "dgps", "pps"})
_TYPED_11 = {**dict.fromkeys(("magvar", "geoidheight", "hdop", "vdop", "pdop", "ageofdgpsdata"), float),
             "sat": int, "dgpsid": int, "fix": _FIX_TYPES.__contains__}
_TYPED_10 = {**_TYPED_11, "course": float}


def _valid_text(check, text) -> bool:
    """True when *text* passes *check* (a type to convert the stripped text to, or a predicate)."""
    if text is None:
        return True
    if check is float or check is int:
        try:
            check(text.strip())
        except ValueError:
            return False
        return True
    return bool(check(text))


def _rest_through_gpxpy(root):
    """gpxpy's reading of the document without its track points (already removed from *root*), or None.

    The rest (creator, tracks and their types, names, routes, waypoints) is
    written back to text and read by ``gpxpy.parse``, gpxpy's public entry
    point, so that gpxpy reads and checks it exactly as it reads a file.
    None when gpxpy refuses it, or when the text holds a default namespace
    declaration gpxpy would strip from the wrong place.
    """
    import gpxpy

    text = ET.tostring(root, encoding="unicode")
    if _DEFAULT_NS.search(text):
        return None
    try:
        return gpxpy.parse(text)
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return None


def parse_tree(text: str, source: str):
    """Parse a GPX document as gpxpy does (first default namespace removed), repairing undeclared prefixes.

    Parameters
    ----------
    text : str
        The document (:func:`runlog.io._xml.xml_text`, DTD-checked).
    source : str
        File name, for the repair's warning.

    Returns
    -------
    tuple or None
        ``(root, warning message or None)``, or None when the document does
        not parse (gpxpy then says why).
    """
    parsed = parse_declaring_prefixes(text, lambda t: ET.XML(_DEFAULT_NS.sub("", t, count=1)))
    if parsed is None:
        return None
    root, prefixes, first = parsed
    if not prefixes:
        return root, None
    # the gpxpy path's message, word for word (gpxpy wraps the parser's error as "Error parsing XML: ...")
    return root, (f"{source}: namespace prefix(es) {', '.join(prefixes)} used without a "
                  f"declaration (Error parsing XML: {first}); declared them and read the file")


def _add_extension_columns(cols: dict, ext_rows: dict, seq: list, n: int) -> None:
    """Add the extension columns to *cols*: per column its point indices and values (unreadable values
    skipped, as runlog.io.gpx._points does); new columns in the order of their first readable value."""
    parsed_cols: dict[str, tuple] = {}
    failed = False
    for col, (idx, texts) in ext_rows.items():
        try:
            parsed_cols[col] = (idx, list(map(float, texts)), None)
        except ValueError:
            failed = True
            ok = list(map(_float_or_none, texts))
            parsed_cols[col] = ([k for k, v in zip(idx, ok) if v is not None],
                                [v for v in ok if v is not None], ok)
    if failed:
        order, pos = [], dict.fromkeys(parsed_cols, 0)
        for col in seq:
            k = pos[col]
            pos[col] = k + 1
            ok = parsed_cols[col][2]
            if (ok is None or ok[k] is not None) and col not in order:
                order.append(col)
    else:
        order = list(dict.fromkeys(seq))
    for col in order:
        idx, vals, _ = parsed_cols[col]
        arr = cols.get(col)
        if arr is None:
            arr = cols[col] = np.full(n, np.nan)
        arr[np.asarray(idx, dtype="int64")] = vals


def read_points(text: str, source: str, extension_columns: dict):
    """Track points of a GPX document as arrays, or None when the gpxpy path must read it.

    Parameters
    ----------
    text : str
        The document, as returned by :func:`runlog.io._xml.xml_text` and
        checked by :func:`runlog.io._xml.reject_dtd`.
    source : str
        File name, for the namespace-repair warning.
    extension_columns : dict
        Extension element local name (lower case) -> record column
        (:data:`runlog.io.gpx.EXTENSION_COLUMNS`).

    Returns
    -------
    tuple or None
        ``(gpx, t_s, n_untimed, cols)``: a :class:`gpxpy.gpx.GPX` with
        everything but the track points (creator, tracks and their types,
        routes, waypoints), the point times [s since 1970, UTC] (NaN where
        missing or unusable), the number of points without a ``<time>``
        gpxpy could read, and float64 arrays per record column (``lat_deg``,
        ``lon_deg``, ``altitude_m``, ``speed_mps`` and the extension
        columns found) -- the values of ``runlog.io.gpx._points`` on the
        gpxpy object.  None when the document is not well-formed (and no
        prefix repair helps), or gpxpy would refuse or read it differently.

    Warns
    -----
    XmlRecoveryWarning
        Undeclared namespace prefixes were declared (same message as the
        gpxpy path).
    """
    parsed = parse_tree(text, source)
    if parsed is None:
        return None
    root, repaired = parsed
    version = root.get("version")
    v11 = version == "1.1"
    checked = _TYPED_11 if v11 else _TYPED_10
    valid: set = set()  # (tag, text) pairs that pass

    lat: list = []  # str or None, as lon: float(None) raising below is wanted
    lon: list = []
    ele: list[str | None] = []
    spd: list[str | None] = []
    tstr: list[str | None] = []
    lat_add, lon_add, ele_add, spd_add, t_add = lat.append, lon.append, ele.append, spd.append, tstr.append
    nan = np.nan
    # extension element tag -> the (point index, text) list of its column, or False (not read)
    ext_of_tag: dict = {}
    ext_rows: dict[str, tuple] = {}
    seq: list = []  # the column of every extension value, in document order (fixes the column order)
    seq_add = seq.append
    i = 0
    try:
        for trk in root:
            if trk.tag != "trk":
                continue
            for seg in trk:
                if seg.tag != "trkseg":
                    continue
                other = 0
                for p in seg:
                    if p.tag != "trkpt":
                        other += 1
                        continue
                    a = p.attrib
                    lat_add(a.get("lat"))
                    lon_add(a.get("lon"))
                    find = p.findtext
                    e = find("ele")
                    ele_add(e)
                    t = find("time")
                    t_add(t)
                    known = (e is not None) + (t is not None)
                    if v11:
                        x = p.find("extensions")
                        known += x is not None
                    else:
                        e = find("speed")
                        spd_add(e)
                        known += e is not None
                    if len(p) > known:  # other children: are their values of their types?
                        for c in p:
                            f = checked.get(c.tag)
                            if f is not None and (c.tag, c.text) not in valid:
                                if not _valid_text(f, c.text):
                                    raise ValueError(f"<{c.tag}>{c.text}")  # gpxpy decides (below)
                                valid.add((c.tag, c.text))
                    if v11 and x is not None:
                        # x.iter() = x, then each child's own iter() in document order (x maps to no column)
                        size = 0
                        for c in x.iter():
                            size += 1
                            acc = ext_of_tag.get(c.tag)
                            if acc is None:
                                acc = ext_of_tag[c.tag] = _column_list(c.tag, extension_columns, ext_rows)
                            if acc is not False:
                                text = c.text
                                if text:
                                    acc[1](i)
                                    acc[2](text)
                                    seq_add(acc[0])
                        if size > MAX_XML_DEPTH:  # gpxpy deep-copies the block: bounded first
                            check_extension_block(x, size, source)
                    i += 1
                if other:
                    seg[:] = [c for c in seg if c.tag != "trkpt"]
                else:
                    del seg[:]
        # the points are out of the tree; what gpxpy reads next (metadata, routes, waypoints) is bounded
        check_tree_bounds(root, source)
        cols = {
            # float(None) and float('x') raise: gpxpy refuses such a file with its own message
            "lat_deg": np.array(list(map(float, lat)), dtype="float64"),
            "lon_deg": np.array(list(map(float, lon)), dtype="float64"),
            "altitude_m": np.array([float(s) if s else nan for s in ele], dtype="float64"),
            "speed_mps": (np.full(i, nan) if v11 else np.array([float(s) if s else nan for s in spd],
                                                                 dtype="float64")),
        }
        gpx = _rest_through_gpxpy(root)
        if gpx is None:
            return None
    except (MemoryError, RecursionError, FileFormatError):
        raise
    except Exception:  # a value gpxpy rejects: let gpxpy raise its own error
        # gpxpy will parse the whole document and deep-copy its extensions: the points not walked yet
        # (and what is left of the tree) are bounded before that
        check_tree_bounds(root, source)
        return None

    t_s, untimed = iso_times_s(tstr)
    _add_extension_columns(cols, ext_rows, seq, i)
    if repaired:
        warnings.warn(repaired, XmlRecoveryWarning, stacklevel=4)
    return gpx, t_s, int(untimed.sum()), cols


# --------------------------------------------------------------------------
# ISO 8601 times, vectorised
# --------------------------------------------------------------------------

_ZERO, _NINE = 48, 57
#: Longest text the vectorised parser takes: 19 + '.' + 15 digits + '+hh:mm'.
_MAX_ISO_LEN = 41


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm), int64 arrays."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype="int64")


def iso_times_s(strings: list):
    """GPX ``<time>`` texts -> seconds since 1970 (UTC), as gpxpy reads them.

    Parameters
    ----------
    strings : list of str or None
        The texts (None: no ``<time>`` element; '': an empty one).

    Returns
    -------
    (t_s, untimed) : numpy.ndarray of float64, numpy.ndarray of bool
        Seconds since 1970-01-01 UTC [s] (times without a zone are UTC;
        NaN where there is no usable time) and, per string, whether gpxpy
        would have no time at all (missing, empty or unreadable; a time
        gpxpy reads but cannot place, e.g. an offset of 24 h or more, is
        NaN without being untimed).

    Notes
    -----
    Strings of the form ``YYYY-MM-DD[T ]hh:mm:ss[.f{1,15}][Z|+hh:mm|+hhmm|+hh]``
    with a year from 1900 to 2199, a real calendar date, hours < 24,
    minutes and seconds < 60 and zone offsets below 24 h are converted with
    numpy (fraction truncated to the microsecond, like gpxpy); the seconds
    are the exact microsecond count divided by 10**6, i.e. the value of
    ``datetime.timestamp()``.  Everything else goes through gpxpy's own
    ``parse_time`` and ``datetime.timestamp()``, one string at a time.
    """
    n = len(strings)
    t_s = np.full(n, np.nan)
    untimed = np.zeros(n, dtype=bool)
    if n == 0:
        return t_s, untimed
    lens_all = np.fromiter((len(s) if s else 0 for s in strings), dtype="int64", count=n)
    untimed[lens_all == 0] = True
    # the longest form is 41 characters; longer texts (damage) go one by one, not into a wide array
    rows = np.flatnonzero((lens_all >= 19) & (lens_all <= _MAX_ISO_LEN))
    odd = np.flatnonzero((lens_all > 0) & ((lens_all < 19) | (lens_all > _MAX_ISO_LEN)))
    if rows.size == 0:
        _fill_odd(strings, odd, t_s, untimed)
        return t_s, untimed
    texts = [strings[k] for k in rows] if rows.size < n else strings
    try:
        arr = np.array(texts, dtype="U")
    except (ValueError, TypeError):  # pragma: no cover - not str
        arr = None
    ok = np.zeros(rows.size, dtype=bool)
    if arr is not None:
        width = arr.dtype.itemsize // 4
        cp = np.zeros((rows.size, width + 1), dtype="int64")
        cp[:, :width] = arr.view(np.uint32).reshape(rows.size, width)
        lens = lens_all[rows]
        dig = (cp >= _ZERO) & (cp <= _NINE)
        val = cp - _ZERO
        ok = lens >= 19
        for j in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18):
            ok &= dig[:, j]
        ok &= (cp[:, 4] == 45) & (cp[:, 7] == 45) & ((cp[:, 10] == 84) | (cp[:, 10] == 32))
        ok &= (cp[:, 13] == 58) & (cp[:, 16] == 58)
        year = val[:, 0] * 1000 + val[:, 1] * 100 + val[:, 2] * 10 + val[:, 3]
        month = val[:, 5] * 10 + val[:, 6]
        day = val[:, 8] * 10 + val[:, 9]
        hour = val[:, 11] * 10 + val[:, 12]
        minute = val[:, 14] * 10 + val[:, 15]
        second = val[:, 17] * 10 + val[:, 18]
        # fraction: '.' then 1-15 digits (gpxpy keeps the first 6)
        frac = (cp[:, 19] == 46) if width > 19 else np.zeros(rows.size, dtype=bool)
        if width > 20:
            nondig = ~dig[:, 20:]
            fend = 20 + np.argmax(nondig, axis=1)  # the padding column is never a digit
        else:
            fend = np.full(rows.size, 20)
        nfrac = np.where(frac, fend - 20, 0)
        ok &= ~frac | ((nfrac >= 1) & (nfrac <= 15))
        micro = np.zeros(rows.size, dtype="int64")
        for j in range(6):
            col = 20 + j
            if col >= width:
                break
            micro += np.where(nfrac > j, val[:, col], 0) * 10 ** (5 - j)
        # zone: nothing, 'Z', or a sign and hh, hhmm or hh:mm
        tz0 = np.where(frac, fend, 19)
        sl = lens - tz0
        r = np.arange(rows.size)

        def at(k):
            return cp[r, np.minimum(tz0 + k, width)]

        c0 = at(0)
        signed = (c0 == 43) | (c0 == 45)
        zulu = (sl == 1) & (c0 == 90)
        digs = [(at(k) >= _ZERO) & (at(k) <= _NINE) for k in range(1, 6)]
        hh_ok = signed & digs[0] & digs[1]
        form3 = (sl == 3) & hh_ok
        form5 = (sl == 5) & hh_ok & digs[2] & digs[3]
        form6 = (sl == 6) & hh_ok & (at(3) == 58) & digs[3] & digs[4]
        ok &= (sl == 0) | zulu | form3 | form5 | form6
        off_h = (at(1) - _ZERO) * 10 + (at(2) - _ZERO)
        off_m = np.where(form5, (at(3) - _ZERO) * 10 + (at(4) - _ZERO),
                         np.where(form6, (at(4) - _ZERO) * 10 + (at(5) - _ZERO), 0))
        off_min = np.where(form3 | form5 | form6, np.where(c0 == 45, -1, 1) * (off_h * 60 + off_m), 0)
        # a real date and time, in the range where every step is exact
        ok &= (year >= 1900) & (year <= 2199) & (month >= 1) & (month <= 12) & (day >= 1)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        dim = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
        ok &= (day <= dim) & (hour <= 23) & (minute <= 59) & (second <= 59) & (np.abs(off_min) < 24 * 60)
        if ok.any():
            days = _days_from_civil(year[ok], month[ok], day[ok])
            secs = days * 86400 + hour[ok] * 3600 + minute[ok] * 60 + second[ok] - off_min[ok] * 60
            t_s[rows[ok]] = (secs * 1_000_000 + micro[ok]) / 1e6
    _fill_odd(strings, np.concatenate([odd, rows[~ok]]), t_s, untimed)
    return t_s, untimed


def _fill_odd(strings: list, where: np.ndarray, t_s: np.ndarray, untimed: np.ndarray) -> None:
    """Times of the texts at *where* that the vectorised parser does not take, read the gpxpy way."""
    if len(where):
        for k, (t, u) in zip(where.tolist(), odd_times_s([strings[k] for k in where.tolist()])):
            t_s[k], untimed[k] = t, u


def odd_times_s(texts: list[str]) -> list[tuple[float, bool]]:
    """``<time>`` texts read by gpxpy itself: (seconds since 1970 or NaN, whether gpxpy has no time).

    The texts are put into a small GPX document of one track point each and
    read by ``gpxpy.parse`` (gpxpy's public entry point), so each is read
    exactly as gpxpy reads a file's times.

    Parameters
    ----------
    texts : list of str
        ``<time>`` texts (as the XML parser gave them).

    Returns
    -------
    list of (float, bool)
        Seconds since 1970-01-01 UTC [s] (times without a zone are UTC; NaN
        where unusable) and True where gpxpy has no time at all.
    """
    import datetime as _dt
    from xml.sax.saxutils import escape

    import gpxpy

    doc = ('<gpx version="1.1"><trk><trkseg>'
           + "".join(f'<trkpt lat="0" lon="0"><time>{escape(t)}</time></trkpt>' for t in texts)
           + "</trkseg></trk></gpx>")
    out = []
    for p in gpxpy.parse(doc).tracks[0].segments[0].points:
        t = p.time
        if t is None:
            out.append((np.nan, True))
            continue
        try:
            if t.tzinfo is None:
                t = t.replace(tzinfo=_dt.UTC)
            out.append((t.timestamp(), False))
        except (OverflowError, ValueError, OSError):  # year 1 with an offset, ...
            out.append((np.nan, False))
    return out
