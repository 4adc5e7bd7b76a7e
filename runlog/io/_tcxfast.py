"""TCX trackpoints from the element tree to arrays in one lean pass (the fast path of :mod:`runlog.io.tcx`).

The reference walk (``runlog.io.tcx._rows``) builds a 10-slot list per
``<Trackpoint>`` and converts every value with its own function call.  This
module reads the same elements by the same rules, but keeps only their
texts, one list per column, and converts each column in one step; the
document is parsed with the standard library's own C tree builder.  The
results are those of the reference path, value for value
(``tests/io/test_tcx_fast.py``):

* **Parse.**  :func:`parse_tree` parses with the C parser and its C tree
  builder, i.e. :func:`xml.etree.ElementTree.XML` (lxml is never imported).
  :func:`runlog.io._xml.parse_xml` uses the same parser with a Python
  subclass of that builder whose only addition is refusing a DOCTYPE; the
  subclass makes the parser call back into Python for every element and
  costs about a fifth of the parse.  Here the DTD rule is applied before
  parsing instead: :func:`runlog.io._xml.reject_dtd` on the prolog (the only
  place a DTD is allowed; anywhere else it is a syntax error of the parser)
  and a document holding the text ``<!DOCTYPE`` anywhere is not parsed here
  at all.  The cyclic garbage collector is paused while the tree is built
  (elements hold no cycles; left as found).  Undeclared namespace prefixes
  are declared and the document parsed again, with ``parse_xml``'s
  warning, word for word.  Anything else that does not parse (malformed
  XML, a DTD, a repair that fails) is left to ``parse_xml``, which refuses
  it with its usual message.
* **Same selection.**  Trackpoints are all children of the ``Track``
  children of an activity's laps.  Per trackpoint the *last* ``Time``,
  ``AltitudeMeters``, ``DistanceMeters``, ``Cadence`` and ``HeartRateBpm``
  child counts, latitude and longitude are the last ones over all
  ``Position`` children, ``Speed``, ``RunCadence`` and ``Watts`` the last
  ones anywhere below any ``Extensions`` child, whatever their namespace
  (elements are matched by local name, one look-up per distinct tag).  A
  heart rate is the text of the first ``Value`` child of that
  ``HeartRateBpm``, else its own text.
* **Same conversion.**  Every number is ``float(text)``, converted a column
  at a time (a column with few distinct texts, such as heart rate, cadence
  or altitude, through a table of its distinct texts); a text that is not a
  number is NaN (:func:`~runlog.io._common.float_or_nan`, as the reference), and so are empty and
  missing values.  Times are the stripped texts ('' when missing),
  converted by the reader's own ``_epoch_s``.

Its speed is measured by ``bench/bench_gpx_fast.py``; what was tried and the
figures: ``docs/validation.md``.
"""

from __future__ import annotations

import gc
import xml.etree.ElementTree as ET
from itertools import chain

import numpy as np

from ._common import float_or_nan
from ._xml import local_name, parse_declaring_prefixes, reject_dtd

__all__ = ["parse_tree", "trackpoint_columns", "COLUMNS"]

#: Columns of :func:`trackpoint_columns`' array, in order (the reference rows' slots 1-9).
COLUMNS = ("lat_deg", "lon_deg", "altitude_m", "distance_m", "hr_bpm", "cadence_spm", "speed_mps",
           "run_cadence", "power_w")

# Slot of each column list: 0 the time, 1-9 the COLUMNS (as runlog.io.tcx's row slots).
_T, _LAT, _LON, _ALT, _DIST, _HR, _CAD, _SPD, _RCAD, _PWR = range(10)
# Trackpoint children read: a slot, or a structure to descend into.
_POSITION, _HRBPM, _EXTENSIONS = 10, 11, 12
_POINT_FIELDS = {"Time": _T, "AltitudeMeters": _ALT, "DistanceMeters": _DIST, "Cadence": _CAD,
                 "Position": _POSITION, "HeartRateBpm": _HRBPM, "Extensions": _EXTENSIONS}
_POSITION_FIELDS = {"LatitudeDegrees": _LAT, "LongitudeDegrees": _LON}
_HR_FIELDS = {"Value": _HR}
_EXTENSION_FIELDS = {"Speed": _SPD, "RunCadence": _RCAD, "Watts": _PWR}


class _Codes(dict):
    """Tag -> slot by local name (-1: not read), looked up once per distinct tag."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict):
        super().__init__()
        self.fields = fields

    def __missing__(self, tag):
        code = self[tag] = self.fields.get(local_name(tag), -1)
        return code


def _parse_gc_paused(text: str):
    """:func:`xml.etree.ElementTree.XML` with the cyclic garbage collector paused (left as found).

    A large file is tens of thousands of elements; every 700 of them the
    collector would walk the young ones again, and now and then the whole
    growing tree, though elements hold no reference cycles (a child does not
    point to its parent).  About a tenth of the parse time.
    """
    if not gc.isenabled():
        return ET.XML(text)
    gc.disable()
    try:
        return ET.XML(text)
    finally:
        gc.enable()


def parse_tree(text: str, source: str):
    """Parse *text* with the C tree builder, or return None when ``parse_xml`` must.

    Parameters
    ----------
    text : str
        The document, from :func:`runlog.io._xml.xml_text`.
    source : str
        File name, for the warning.

    Returns
    -------
    (root, warning) or None
        The root element and, when undeclared namespace prefixes were
        declared to read it, the warning ``parse_xml`` gives for that (else
        None).  None when the document mentions ``<!DOCTYPE`` anywhere, its
        prolog holds a ``<!`` declaration, or it does not parse (after the
        prefix repair, if that applies).
    """
    if "<!DOCTYPE" in text:
        return None
    try:
        reject_dtd(text, source)
    except Exception:  # parse_xml refuses it with its message
        return None
    parsed = parse_declaring_prefixes(text, _parse_gc_paused)
    if parsed is None:
        return None
    root, prefixes, first = parsed
    if not prefixes:
        return root, None
    return root, (f"{source}: namespace prefix(es) {', '.join(prefixes)} used without a declaration "
                  f"({first}); declared them and read the file")


#: Columns longer than this whose first _SAMPLE texts hold at most _FEW distinct ones are converted
#: through a table of their distinct texts (heart rate, cadence, altitude: a float() per distinct text).
_SAMPLE, _FEW = 128, 32


def _floats(texts: list) -> np.ndarray:
    """Non-empty texts -> float64 (NaN where not a number), ``float(text)`` for each."""
    n = len(texts)
    if n > _SAMPLE and len(set(texts[:_SAMPLE])) <= _FEW:
        distinct = list(dict.fromkeys(texts))
        try:
            table = dict(zip(distinct, map(float, distinct)))
        except ValueError:
            table = dict(zip(distinct, map(float_or_nan, distinct)))
        return np.fromiter(map(table.__getitem__, texts), dtype="float64", count=n)
    try:
        return np.fromiter(map(float, texts), dtype="float64", count=n)
    except ValueError:
        return np.fromiter(map(float_or_nan, texts), dtype="float64", count=n)


def trackpoint_columns(lap_els: list) -> tuple[list, np.ndarray]:
    """Times and values of the trackpoints of one activity's ``<Lap>`` elements.

    Parameters
    ----------
    lap_els : list of xml.etree.ElementTree.Element
        The activity's ``Lap`` children, in file order.

    Returns
    -------
    (times, values) : list of str, numpy.ndarray
        Per trackpoint (file order), the stripped text of its ``Time`` (''
        when it has none) and a float64 row of the :data:`COLUMNS` (NaN where
        missing, empty or not a number): what ``runlog.io.tcx._rows`` returns.
    """
    tracks = [trk for lap in lap_els for trk in lap if local_name(trk.tag) == "Track"]
    points = list(chain.from_iterable(tracks))
    n = len(points)
    cols: list[list] = [[None] * n for _ in range(10)]
    top, pos, hrv, ext = (_Codes(_POINT_FIELDS), _Codes(_POSITION_FIELDS), _Codes(_HR_FIELDS),
                          _Codes(_EXTENSION_FIELDS))
    hr = cols[_HR]
    for i, tp in enumerate(points):
        for c in tp:
            k = top[c.tag]
            if k < 0:
                continue
            if k < _POSITION:  # Time, AltitudeMeters, DistanceMeters, Cadence
                cols[k][i] = c.text
            elif k == _POSITION:
                for p in c:
                    j = pos[p.tag]
                    if j >= 0:
                        cols[j][i] = p.text
            elif k == _HRBPM:
                text = c.text
                for v in c:
                    if hrv[v.tag] >= 0:
                        text = v.text
                        break
                hr[i] = text
            else:  # Extensions: at any depth
                for e in c.iter():
                    j = ext[e.tag]
                    if j >= 0:
                        cols[j][i] = e.text
    times = cols[_T]
    try:
        times = list(map(str.strip, times))
    except TypeError:  # a point without <Time> or with an empty one
        times = [(s or "").strip() for s in times]
    values = np.full((n, len(COLUMNS)), np.nan)
    for slot in range(1, 10):
        col = cols[slot]
        present = list(filter(None, col))  # '' and None are NaN
        if len(present) == n:
            values[:, slot - 1] = _floats(present)
        elif present:
            values[np.fromiter(map(bool, col), dtype=bool, count=n), slot - 1] = _floats(present)
    return times, values
