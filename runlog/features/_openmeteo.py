"""Open-Meteo's historical weather API: the query, the documented JSON answer, the HTTP client and the cache.

Used by :func:`runlog.features.weather.fetch` only; nothing here runs unless the runner
asks for weather (``weather="auto"``, ``--weather auto``).

* **What is sent.** One GET per batch of up to :data:`MAX_LOCATIONS` (place,
  date span) pairs to ``/v1/archive`` with the documented parameters
  ``latitude``, ``longitude``, ``start_date``, ``end_date`` (comma-separated
  lists, one entry per pair: the API's list mode), ``hourly=temperature_2m,
  relative_humidity_2m,dew_point_2m`` and ``timezone=GMT``.  A place is a
  run's first GPS position rounded to :data:`PLACE_DECIMALS` decimals (0.1°:
  11 km north-south, at most 11 km east-west), dates are UTC days.  Nothing
  else about the runner or the runs goes out; the User-Agent names runlog.
* **What comes back.** The documented JSON: one object per pair (a list when
  there are several) with ``latitude``/``longitude`` of the grid cell used,
  ``utc_offset_seconds``, ``hourly_units`` and ``hourly`` = ``time`` (ISO
  8601, ``YYYY-MM-DDTHH:MM``) plus one array per variable, ``null`` where the
  reanalysis has no value.  Errors are HTTP 400 with ``{"error": true,
  "reason": ...}``.
* **The client.** :class:`requests.Session` with urllib3's :class:`Retry`:
  connect/read timeouts, retries with exponential backoff on 429 and 5xx,
  ``Retry-After`` honoured (capped at :data:`RETRY_AFTER_MAX_S`).
* **The cache.** One JSON file per rounded place under the runlog cache folder
  (``weather/open-meteo/``), holding the hourly values by UTC day, written
  atomically (:func:`runlog.history.atomic_write`).  A day is asked for once;
  days the service has not published yet (all values null, less than
  :data:`REFETCH_DAYS` old) are asked for again next time.

References
----------
.. [1] Zippenfenig, P. (2023). Open-Meteo.com Weather API [Computer software].
   Zenodo. https://doi.org/10.5281/ZENODO.7970649
.. [2] Hersbach, H. et al. (2023). ERA5 hourly data on single levels from 1940 to
   present. ECMWF. https://doi.org/10.24381/cds.adbb2d47
.. [3] Muñoz Sabater, J. (2019). ERA5-Land hourly data from 2001 to present.
   ECMWF. https://doi.org/10.24381/cds.e2161bac
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd

__all__ = ["ARCHIVE_URL", "URL_ENV", "HOURLY", "ATTRIBUTION", "ATTRIBUTION_HTML", "LICENSE_URL", "Client", "PlaceCache",
           "place_of", "build_query", "parse_response", "plan_requests", "base_url"]

#: The documented endpoint of the historical weather API (ERA5 / ERA5-Land reanalysis, from 1940).
ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"
#: Environment variable that replaces :data:`ARCHIVE_URL` (a mirror, or a local test server).
URL_ENV = "RUNLOG_WEATHER_URL"
#: Hourly variables asked for, in the service's names, and runlog's column for each.
HOURLY = {"temperature_2m": "air_temp_c", "relative_humidity_2m": "rel_humidity_pct", "dew_point_2m": "dew_point_c"}
#: Units the service must report for them (``hourly_units``); anything else is refused.
UNITS = {"temperature_2m": "°C", "relative_humidity_2m": "%", "dew_point_2m": "°C"}
#: Decimals a position is rounded to before it is sent [°]: 0.1° is 11 km north-south.
PLACE_DECIMALS = 1
#: First day the archive has [UTC date].
FIRST_DAY = _dt.date(1940, 1, 1)
#: The reanalysis is published about five days behind today; later days are not asked for.
PUBLISH_DELAY_DAYS = 5
#: Days with no value at all that are younger than this are asked for again on the next call [d].
REFETCH_DAYS = 30
#: (place, span) pairs per request; the API takes up to 1,000 locations, fewer keep the URL short.
MAX_LOCATIONS = 50
#: Days per request, summed over its pairs (keeps one answer below ~2 MB).
MAX_DAYS = 1500
#: Gaps between needed days of one place up to this many days are fetched through (one span, not two).
BRIDGE_DAYS = 7
#: Farthest the answered grid cell may be from the place asked for [km] (ERA5 cells are 0.25°, ~28 km).
MAX_CELL_KM = 50.0
#: Longest wait a ``Retry-After`` header may impose before a retry [s].
RETRY_AFTER_MAX_S = 60
#: Version of the cache file format.
CACHE_FORMAT = 1
#: Data licence of the answers.
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: The credit Open-Meteo asks for (its licence page), with the reanalysis behind the archive.
ATTRIBUTION = ("Weather data by Open-Meteo.com (https://open-meteo.com/), licensed CC BY 4.0 "
               f"({LICENSE_URL}). The archive is built from the ERA5 and ERA5-Land reanalyses "
               "(Hersbach et al. 2023, doi:10.24381/cds.adbb2d47; Muñoz Sabater 2019, doi:10.24381/cds.e2161bac), "
               "generated using Copernicus Climate Change Service information. Changed by runlog: only the hour "
               "nearest each run's middle is used.")

#: The same credit with its links, for HTML.
ATTRIBUTION_HTML = ("<a href='https://open-meteo.com/'>Weather data by Open-Meteo.com</a>, licensed "
                    f"<a href='{LICENSE_URL}'>CC BY 4.0</a>. The archive is built from the ERA5 and ERA5-Land "
                    "reanalyses (Hersbach et al. 2023, <a href='https://doi.org/10.24381/cds.adbb2d47'>"
                    "doi:10.24381/cds.adbb2d47</a>; Muñoz Sabater 2019, <a href='https://doi.org/10.24381/cds.e2161bac'>"
                    "doi:10.24381/cds.e2161bac</a>), generated using Copernicus Climate Change Service information. "
                    "Changed by runlog: only the hour nearest each run's middle is used.")


def base_url(url: str | None = None) -> str:
    """The endpoint to ask.

    Parameters
    ----------
    url : str, optional
        An explicit address.

    Returns
    -------
    str
        *url*, else ``$RUNLOG_WEATHER_URL``, else :data:`ARCHIVE_URL`.
    """
    return url or os.environ.get(URL_ENV) or ARCHIVE_URL


def place_of(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    """Positions rounded to :data:`PLACE_DECIMALS` decimals, longitude in [-180, 180).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Positions [°].

    Returns
    -------
    (ndarray, ndarray)
        Rounded latitude and longitude [°]; 180.0 becomes -180.0 (the same meridian).
    """
    lat = np.round(np.asarray(lat_deg, dtype="float64"), PLACE_DECIMALS)
    lon = np.round(np.asarray(lon_deg, dtype="float64"), PLACE_DECIMALS)
    lon = np.where(lon >= 180.0, lon - 360.0, lon)
    lon = np.round(np.where(lon < -180.0, lon + 360.0, lon), PLACE_DECIMALS)
    return lat + 0.0, lon + 0.0   # no -0.0


def place_key(lat: float, lon: float) -> str:
    """'48.1,11.6': how a place is named in the cache and in weather tables."""
    return f"{lat:.{PLACE_DECIMALS}f},{lon:.{PLACE_DECIMALS}f}"


# ------------------------------------------------------------------------------------------------
# what to ask for
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """One (place, date span) pair of a request: ``lat``, ``lon`` [°], ``start``, ``end`` (UTC dates, inclusive)."""

    lat: float
    lon: float
    start: _dt.date
    end: _dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def spans_for(days: list[_dt.date], lat: float, lon: float, bridge: int = BRIDGE_DAYS) -> list[Span]:
    """The spans covering *days* (sorted, unique) of one place, gaps of up to *bridge* days fetched through."""
    out: list[Span] = []
    for d in days:
        if out and (d - out[-1].end).days <= bridge + 1:
            out[-1] = Span(lat, lon, out[-1].start, d)
        else:
            out.append(Span(lat, lon, d, d))
    return out


def plan_requests(spans: list[Span], max_locations: int | None = None, max_days: int | None = None
                  ) -> list[list[Span]]:
    """Spans grouped into requests: at most *max_locations* pairs and *max_days* days each.

    Parameters
    ----------
    spans : list of Span
        The (place, date span) pairs to ask for; a span longer than
        *max_days* is cut into pieces first.
    max_locations, max_days : int, optional
        Limits per request; defaults :data:`MAX_LOCATIONS`, :data:`MAX_DAYS`.

    Returns
    -------
    list of list of Span
        One list per request, in the order given.
    """
    max_locations = max_locations or MAX_LOCATIONS
    max_days = max_days or MAX_DAYS
    pieces: list[Span] = []
    for s in spans:
        start = s.start
        while start <= s.end:
            end = min(s.end, start + _dt.timedelta(days=max_days - 1))
            pieces.append(Span(s.lat, s.lon, start, end))
            start = end + _dt.timedelta(days=1)
    batches: list[list[Span]] = []
    days = 0
    for p in pieces:
        if not batches or len(batches[-1]) >= max_locations or days + p.days > max_days:
            batches.append([])
            days = 0
        batches[-1].append(p)
        days += p.days
    return batches


def build_query(batch: list[Span]) -> str:
    """The documented query string of one request (commas kept, as the API documentation writes them).

    Parameters
    ----------
    batch : list of Span

    Returns
    -------
    str
        ``latitude=..&longitude=..&start_date=..&end_date=..&hourly=temperature_2m,relative_humidity_2m,
        dew_point_2m&timezone=GMT``.
    """
    params = {
        "latitude": ",".join(f"{s.lat:.{PLACE_DECIMALS}f}" for s in batch),
        "longitude": ",".join(f"{s.lon:.{PLACE_DECIMALS}f}" for s in batch),
        "start_date": ",".join(s.start.isoformat() for s in batch),
        "end_date": ",".join(s.end.isoformat() for s in batch),
        "hourly": ",".join(HOURLY),
        "timezone": "GMT",
    }
    return urlencode(params, safe=",")


# ------------------------------------------------------------------------------------------------
# what comes back
# ------------------------------------------------------------------------------------------------
class ResponseError(ValueError):
    """An answer runlog cannot use (malformed, another place, another unit): the reason in words."""


_TIME_FORMAT = "%Y-%m-%dT%H:%M"


def _km(lat1, lon1, lat2, lon2) -> float:
    from ..geo import haversine_m

    return float(haversine_m(lat1, lon1, lat2, lon2)) / 1000.0


def parse_location(obj, span: Span) -> dict[str, np.ndarray]:
    """The hourly values of one location object of the answer, checked against what was asked.

    Parameters
    ----------
    obj : dict
        One documented location object (``latitude``, ``longitude``,
        ``utc_offset_seconds``, ``hourly_units``, ``hourly``).
    span : Span
        The pair it answers.

    Returns
    -------
    dict
        ``time`` (int64 seconds since 1970, UTC, whole hours inside the span)
        and one float64 array per runlog column of :data:`HOURLY` (NaN for null).

    Raises
    ------
    ResponseError
        Not the documented shape, values that are not numbers, a unit other
        than the one asked for, or a grid cell more than :data:`MAX_CELL_KM`
        from the place asked for.
    """
    if not isinstance(obj, dict):
        raise ResponseError("an answer entry is not a JSON object")
    if obj.get("error"):
        raise ResponseError(f"the service refused: {obj.get('reason', 'no reason given')}")
    try:
        lat, lon = float(obj["latitude"]), float(obj["longitude"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ResponseError("an answer entry has no latitude/longitude") from exc
    km = _km(lat, lon, span.lat, span.lon)
    if not km <= MAX_CELL_KM:
        raise ResponseError(f"the service answered for {lat:.2f}, {lon:.2f}, {km:.0f} km from the place asked "
                            f"for ({span.lat:.1f}, {span.lon:.1f})")
    hourly = obj.get("hourly")
    if not isinstance(hourly, dict) or not isinstance(hourly.get("time"), list):
        raise ResponseError("an answer entry has no 'hourly.time' list")
    units = obj.get("hourly_units") or {}
    times = hourly["time"]
    try:
        t = pd.to_datetime(pd.Series(times, dtype="object"), format=_TIME_FORMAT).to_numpy("datetime64[s]")
    except (ValueError, TypeError) as exc:
        raise ResponseError(f"'hourly.time' is not ISO 8601 'YYYY-MM-DDTHH:MM' ({exc})") from exc
    secs = t.astype("int64") - int(obj.get("utc_offset_seconds") or 0)
    out = {"time": secs}
    for var, col in HOURLY.items():
        vals = hourly.get(var)
        if not isinstance(vals, list) or len(vals) != len(times):
            raise ResponseError(f"'hourly.{var}' is missing or not as long as 'hourly.time'")
        if var in units and units[var] != UNITS[var]:
            raise ResponseError(f"'hourly.{var}' is in {units[var]!r}, not {UNITS[var]!r}")
        try:
            out[col] = np.array(vals, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise ResponseError(f"'hourly.{var}' holds values that are not numbers") from exc
    lo = _epoch(span.start)
    hi = _epoch(span.end) + 86400
    keep = (secs >= lo) & (secs < hi) & (secs % 3600 == 0)
    return {k: v[keep] for k, v in out.items()}


def parse_response(text: str, batch: list[Span]) -> list[dict[str, np.ndarray] | ResponseError]:
    """Each pair's hourly values from the body of one answer, or the reason it cannot be used.

    Parameters
    ----------
    text : str
        The response body (documented JSON: one object, or a list of them in
        the order of the request's pairs).
    batch : list of Span
        The pairs asked for.

    Returns
    -------
    list
        One entry per pair: :func:`parse_location`'s dict, or a :class:`ResponseError`.

    Raises
    ------
    ResponseError
        The body is not JSON, or not one entry per pair.
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise ResponseError(f"the answer is not JSON ({exc})") from exc
    if isinstance(data, dict) and data.get("error"):
        raise ResponseError(f"the service refused: {data.get('reason', 'no reason given')}")
    entries = data if isinstance(data, list) else [data]
    if len(entries) != len(batch):
        raise ResponseError(f"the answer has {len(entries)} location(s) for {len(batch)} asked for")
    out: list[dict[str, np.ndarray] | ResponseError] = []
    for obj, span in zip(entries, batch):
        try:
            out.append(parse_location(obj, span))
        except ResponseError as err:
            out.append(err)
    return out


def _epoch(day: _dt.date) -> int:
    return int((day - _dt.date(1970, 1, 1)).days) * 86400


# ------------------------------------------------------------------------------------------------
# the HTTP client
# ------------------------------------------------------------------------------------------------
def user_agent() -> str:
    from .._version import __version__

    return f"runlog/{__version__} (Python; weather for a runner's own numbness analysis)"


@dataclass
class Client:
    """A small HTTP client for the archive API: timeouts, retries with backoff, ``Retry-After``.

    Parameters
    ----------
    url : str, optional
        Endpoint; default ``$RUNLOG_WEATHER_URL``, else :data:`ARCHIVE_URL`.
    timeout : (float, float)
        Connect and read timeouts [s].
    retries : int
        Retries after the first attempt on 429, 500, 502, 503, 504, a
        refused connection or a read timeout.
    backoff_s : float
        Exponential backoff factor [s]: waits ``backoff_s * 2**(n-1)`` before
        retry *n* > 1 (urllib3's rule, capped at 30 s), unless the answer
        says ``Retry-After`` (honoured up to :data:`RETRY_AFTER_MAX_S`).

    Attributes
    ----------
    n_requests : int
        Requests sent (retries included), for the report and the tests.
    """

    url: str | None = None
    timeout: tuple[float, float] = (10.0, 60.0)
    retries: int = 4
    backoff_s: float = 1.0
    n_requests: int = 0
    _session: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.url = base_url(self.url)

    def session(self):
        """The HTTP session, created on first use.

        Returns
        -------
        requests.Session
            With the User-Agent and the retry policy (urllib3 ``Retry``) mounted.
        """
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            client = self

            class _CountingRetry(Retry):
                def increment(self, *args, **kwargs):
                    new = super().increment(*args, **kwargs)   # raises when no retry is left
                    client.n_requests += 1                     # one more attempt is about to be sent
                    return new

            retry = _CountingRetry(total=self.retries, connect=self.retries, read=self.retries,
                                   status=self.retries, other=0, backoff_factor=self.backoff_s, backoff_max=30.0,
                                   status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
                                   respect_retry_after_header=True, retry_after_max=RETRY_AFTER_MAX_S,
                                   raise_on_status=False)
            s = requests.Session()
            adapter = HTTPAdapter(max_retries=retry)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            s.headers.update({"User-Agent": user_agent(), "Accept": "application/json"})
            self._session = s
        return self._session

    def get(self, query: str) -> str:
        """GET ``url?query``.

        Parameters
        ----------
        query : str
            The query string (:func:`build_query`).

        Returns
        -------
        str
            The body of the 200 answer.

        Raises
        ------
        ResponseError
            Any other status after the retries (with the service's ``reason``
            when it gave one), or the request failed (no connection, timeout).
        """
        import requests

        url = f"{self.url}{'&' if '?' in str(self.url) else '?'}{query}"
        self.n_requests += 1
        try:
            resp = self.session().get(url, timeout=self.timeout)
        except requests.exceptions.Timeout as exc:
            raise Unreachable(f"no answer within {self.timeout[1]:g} s (timed out, also after retries)") from exc
        except requests.exceptions.RetryError as exc:
            raise Unreachable(f"the service kept failing ({_short(exc)})") from exc
        except requests.exceptions.ConnectionError as exc:
            if _timed_out(exc):
                raise Unreachable(f"no answer within {self.timeout[1]:g} s (timed out, also after retries)") from exc
            raise Unreachable(f"could not reach {_host(self.url)} ({_short(exc)})") from exc
        except requests.exceptions.RequestException as exc:
            raise ResponseError(f"the request failed ({_short(exc)})") from exc
        if resp.status_code == 200:
            return resp.text
        reason = ""
        try:
            body = resp.json()
            if isinstance(body, dict) and body.get("reason"):
                reason = f": {body['reason']}"
        except ValueError:
            pass
        if resp.status_code == 429:
            raise Unreachable(f"the service asked to slow down (HTTP 429{reason}); try again later")
        if resp.status_code >= 500:
            raise Unreachable(f"the service failed (HTTP {resp.status_code}{reason}); try again later")
        raise ResponseError(f"the service answered HTTP {resp.status_code}{reason}")


class Unreachable(ResponseError):
    """The service cannot be used now (no connection, rate limit, server failure, timeout): the requests
    left in this call are not sent."""


def _timed_out(exc: BaseException) -> bool:
    """True when a connection error is urllib3's retries running out on read timeouts."""
    from urllib3.exceptions import ReadTimeoutError

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, ReadTimeoutError)


def _host(url) -> str:
    m = re.match(r"^[a-z]+://([^/?#]+)", str(url))
    return m.group(1) if m else str(url)


def _short(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"Caused by (\w+)\(", text)
    if m:
        return m.group(1)
    return text if len(text) <= 120 else text[:117] + "..."


# ------------------------------------------------------------------------------------------------
# the cache
# ------------------------------------------------------------------------------------------------
class PlaceCache:
    """Hourly values by rounded place and UTC day, one JSON file per place.

    Parameters
    ----------
    folder : str or PathLike or None
        Where the files go (created when first written); None: nothing is
        read or written.

    Notes
    -----
    A file ``<lat>_<lon>.json`` holds ``{"format": 1, "place": [lat, lon],
    "cell": [lat, lon], "days": {"YYYY-MM-DD": {"fetched": "YYYY-MM-DD",
    "temperature_2m": [24 values], ...}}}``, null for a missing hour.
    """

    def __init__(self, folder) -> None:
        self.folder = None if folder is None else Path(folder)
        self._files: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._places: dict[str, tuple[float, float]] = {}

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / (key.replace(",", "_") + ".json")

    def load(self, key: str) -> dict:
        """The cached days of one place.

        Parameters
        ----------
        key : str
            The place (:func:`place_key`).

        Returns
        -------
        dict
            'YYYY-MM-DD' -> that day's entry; empty when nothing is cached or
            the file cannot be read (a damaged file is a miss, not an error).
        """
        if key in self._files:
            return self._files[key]
        days: dict = {}
        if self.folder is not None:
            try:
                data = json.loads(self._path(key).read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == CACHE_FORMAT and isinstance(data.get("days"), dict):
                    days = data["days"]
            except (OSError, ValueError):
                days = {}
        self._files[key] = days
        return days

    def days_present(self, key: str) -> set[str]:
        """The days of a place that need no request.

        Parameters
        ----------
        key : str
            The place (:func:`place_key`).

        Returns
        -------
        set of str
            Cached days, less those with no value at all that were fetched
            less than :data:`REFETCH_DAYS` after the day (maybe not published then).
        """
        out = set()
        for day, entry in self.load(key).items():
            if not isinstance(entry, dict):
                continue
            vals = entry.get("temperature_2m")
            if not isinstance(vals, list):
                continue
            if all(v is None for v in vals):
                try:
                    fetched = _dt.date.fromisoformat(str(entry.get("fetched")))
                    if (fetched - _dt.date.fromisoformat(day)).days < REFETCH_DAYS:
                        continue
                except ValueError:
                    continue
            out.add(day)
        return out

    def add(self, key: str, place: tuple[float, float], values: dict[str, np.ndarray], span: Span,
            today: _dt.date) -> None:
        """Store the hourly values of one answered pair by day.

        Parameters
        ----------
        key : str
            The place (:func:`place_key`).
        place : (float, float)
            Its rounded latitude and longitude [°].
        values : dict
            :func:`parse_location` output.
        span : Span
            The pair answered: every day of it is stored, null where the answer had no value.
        today : date
            The day of the download (kept, to ask again for days the archive had not published).
        """
        days = self.load(key)
        secs = values["time"]
        day_of = secs // 86400
        hour_of = (secs % 86400) // 3600
        d = span.start
        while d <= span.end:
            n = (d - _dt.date(1970, 1, 1)).days
            sel = day_of == n
            entry: dict = {"fetched": today.isoformat()}
            for var, col in HOURLY.items():
                row: list = [None] * 24
                for h, v in zip(hour_of[sel], values[col][sel]):
                    row[int(h)] = None if np.isnan(v) else round(float(v), 2)
                entry[var] = row
            days[d.isoformat()] = entry
            d += _dt.timedelta(days=1)
        self._dirty.add(key)
        self._places[key] = place

    def save(self) -> int:
        """Write the places changed since loading, each atomically (:func:`runlog.history.atomic_write`).

        Returns
        -------
        int
            Files written (0 without a folder; a file that cannot be written is skipped).
        """
        if self.folder is None:
            return 0
        from ..history import atomic_write

        n = 0
        for key in sorted(self._dirty):
            doc = {"format": CACHE_FORMAT, "source": "open-meteo archive", "place": list(self._places[key]),
                   "days": dict(sorted(self._files[key].items()))}
            data = json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")
            if atomic_write(self._path(key), lambda fh, data=data: fh.write(data), suffix=".json.part", mkdir=True,
                            durable=False):
                n += 1
        self._dirty = set()
        return n

    def hourly(self, key: str, days: list[str]) -> dict[str, np.ndarray]:
        """The cached hours of some days of one place.

        Parameters
        ----------
        key : str
            The place (:func:`place_key`).
        days : list of str
            'YYYY-MM-DD' days; those not cached are left out.

        Returns
        -------
        dict
            ``time`` (int64 seconds since 1970, UTC, 24 per day) and one float64
            array per runlog column of :data:`HOURLY` (NaN for null).
        """
        entries = self.load(key)
        t: list[np.ndarray] = []
        cols: dict[str, list[np.ndarray]] = {col: [] for col in HOURLY.values()}
        for day in days:
            e = entries.get(day)
            if not isinstance(e, dict):
                continue
            base = _epoch(_dt.date.fromisoformat(day))
            t.append(base + 3600 * np.arange(24, dtype="int64"))
            for var, col in HOURLY.items():
                vals = e.get(var)
                cols[col].append(np.array(vals if isinstance(vals, list) and len(vals) == 24 else [None] * 24,
                                          dtype="float64"))
        if not t:
            return {"time": np.array([], dtype="int64"), **{c: np.array([], dtype="float64") for c in cols}}
        return {"time": np.concatenate(t), **{c: np.concatenate(v) for c, v in cols.items()}}
