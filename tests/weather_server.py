"""A local stand-in for Open-Meteo's historical weather API, answering in its documented format.

The format follows the API documentation (https://open-meteo.com/en/docs/historical-weather-api):
``GET /v1/archive?latitude=..&longitude=..&start_date=..&end_date=..&hourly=..&timezone=GMT``,
several locations as comma-separated lists (one start/end date for all, or one per location);
the answer is one JSON object per location (a list when there are several) with ``latitude``,
``longitude`` (the grid cell used), ``generationtime_ms``, ``utc_offset_seconds``, ``timezone``,
``timezone_abbreviation``, ``elevation``, ``hourly_units`` and ``hourly`` (``time`` as
``YYYY-MM-DDTHH:MM`` plus one array per variable, ``null`` where there is no value); a bad
request is HTTP 400 with ``{"error": true, "reason": "..."}``.

The *values* are synthetic: :func:`temperature_c` and :func:`humidity_pct`, smooth functions of
place and hour that the tests use to compute the expected numbers independently.  Every request
is kept (:attr:`FakeArchive.queries`), so tests count them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections import deque

from werkzeug.wrappers import Request, Response

KNOWN = ("temperature_2m", "relative_humidity_2m", "dew_point_2m")


def temperature_c(lat: float, lon: float, epoch_h: int) -> float:
    """Synthetic hourly air temperature [°C] at a grid cell: warmer towards the equator, a seasonal and a
    daily cycle (peak at 14 h local solar time), one decimal as the service gives."""
    day = epoch_h / 24.0
    season = math.cos(2 * math.pi * (day - 196.0) / 365.25) * (1 if lat >= 0 else -1)
    solar_h = (epoch_h % 24 + lon / 15.0) % 24
    daily = math.cos(2 * math.pi * (solar_h - 14.0) / 24.0)
    return round(28.0 - 0.35 * abs(lat) + 9.0 * season + 5.0 * daily, 1)


def humidity_pct(lat: float, lon: float, epoch_h: int) -> float:
    """Synthetic relative humidity [%]: high at dawn, low in the afternoon."""
    solar_h = (epoch_h % 24 + lon / 15.0) % 24
    return float(round(65.0 + 25.0 * math.cos(2 * math.pi * (solar_h - 5.0) / 24.0)))


def dew_point_c(t: float, rh: float) -> float:
    """Magnus-Tetens dew point [°C] of *t* and *rh* (as the service derives it), one decimal."""
    g = math.log(rh / 100.0) + 17.625 * t / (243.04 + t)
    return round(243.04 * g / (17.625 - g), 1)


def grid(lat: float, lon: float) -> tuple[float, float]:
    """The ERA5 grid cell (0.25°) a position falls in, as the service reports it."""
    return round(round(lat * 4) / 4, 2), round(round(lon * 4) / 4, 2)


def epoch_hour(t: dt.datetime) -> int:
    return int(t.replace(tzinfo=dt.UTC).timestamp() // 3600)


class FakeArchive:
    """The ``/v1/archive`` endpoint on a pytest-httpserver, with canned faults.

    Parameters
    ----------
    httpserver : pytest_httpserver.HTTPServer

    Attributes
    ----------
    queries : list of dict
        Every request received: its query parameters (lists split) and ``user_agent``.
    faults : deque
        Answers to give before the documented one, first in first out: ``(status, body, headers)``
        tuples, or ``('sleep', seconds)`` to answer late.
    nulls : set of (lat, lon, 'YYYY-MM-DDTHH:MM')
        Requested places (as sent) and hours answered with null.
    shift_deg : float
        Added to the latitude of every answered grid cell (a wrong-place answer).
    """

    path = "/v1/archive"

    def __init__(self, httpserver) -> None:
        self.server = httpserver
        self.queries: list[dict] = []
        self.arrivals: list[float] = []
        self.faults: deque = deque()
        self.nulls: set[tuple[float, float, str]] = set()
        self.shift_deg = 0.0
        self.busy = 0
        httpserver.expect_request(self.path).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.server.url_for(self.path)

    def wait(self, n_requests: int, timeout_s: float = 20.0) -> None:
        """Wait until *n_requests* have arrived and been answered (a late answer must not reach the next test)."""
        end = time.monotonic() + timeout_s
        while (len(self.queries) < n_requests or self.busy) and time.monotonic() < end:
            time.sleep(0.02)

    def _handle(self, request: Request) -> Response:
        self.busy += 1
        try:
            return self._answer(request)
        finally:
            self.busy -= 1

    def _answer(self, request: Request) -> Response:
        self.arrivals.append(time.monotonic())
        q = {k: request.args.get(k, "") for k in request.args}
        q["user_agent"] = request.headers.get("User-Agent", "")
        q["raw"] = request.query_string.decode()
        self.queries.append(q)
        if self.faults:
            fault = self.faults.popleft()
            if fault[0] == "sleep":
                time.sleep(fault[1])
            else:
                status, body, headers = fault
                return Response(body, status=status, headers=headers, content_type="application/json")
        try:
            body = self.answer(request.args)
        except ValueError as err:
            return Response(json.dumps({"error": True, "reason": str(err)}), status=400,
                            content_type="application/json")
        return Response(json.dumps(body), status=200, content_type="application/json")

    def answer(self, args) -> dict | list:
        """The documented answer to a query (raises ValueError with the service's reason)."""
        lats = [float(x) for x in args.get("latitude", "").split(",") if x != ""]
        lons = [float(x) for x in args.get("longitude", "").split(",") if x != ""]
        if not lats or len(lats) != len(lons):
            raise ValueError("Parameter 'latitude' and 'longitude' must have the same number of elements")
        starts = args.get("start_date", "").split(",")
        ends = args.get("end_date", "").split(",")
        if len(starts) != len(ends):
            raise ValueError("Parameter 'start_date' and 'end_date' must have the same number of elements")
        if len(starts) not in (1, len(lats)):
            raise ValueError("Parameter 'start_date' and 'end_date' must have the same number of elements as "
                             "coordinates")
        hourly = args.get("hourly", "").split(",")
        for h in hourly:
            if h not in KNOWN:
                raise ValueError(f"Cannot initialize WeatherVariable from invalid String value {h} for key hourly")
        if args.get("timezone", "GMT") != "GMT":
            raise ValueError("this stand-in answers in GMT only")
        out = []
        for i, (lat, lon) in enumerate(zip(lats, lons)):
            if not -90 <= lat <= 90:
                raise ValueError(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
            if not -180 <= lon <= 180:
                raise ValueError(f"Longitude must be in range of -180 to 180°. Given: {lon}.")
            s = dt.date.fromisoformat(starts[i if len(starts) > 1 else 0])
            e = dt.date.fromisoformat(ends[i if len(ends) > 1 else 0])
            if e < s:
                raise ValueError("End-date must be larger or equals than start-date")
            if s < dt.date(1940, 1, 1):
                raise ValueError("Parameter 'start_date' is out of allowed range from 1940-01-01 to 2099-12-31")
            glat, glon = grid(lat, lon)
            times, cols = [], {h: [] for h in hourly}
            t = dt.datetime(s.year, s.month, s.day)
            end = dt.datetime(e.year, e.month, e.day) + dt.timedelta(days=1)
            while t < end:
                stamp = t.strftime("%Y-%m-%dT%H:%M")
                times.append(stamp)
                eh = epoch_hour(t)
                temp, rh = temperature_c(glat, glon, eh), humidity_pct(glat, glon, eh)
                null = (lat, lon, stamp) in self.nulls
                vals = {"temperature_2m": temp, "relative_humidity_2m": rh, "dew_point_2m": dew_point_c(temp, rh)}
                for h in hourly:
                    cols[h].append(None if null else vals[h])
                t += dt.timedelta(hours=1)
            units = {"time": "iso8601", "temperature_2m": "°C", "relative_humidity_2m": "%", "dew_point_2m": "°C"}
            out.append({
                "latitude": glat + self.shift_deg, "longitude": glon, "generationtime_ms": 0.42,
                "utc_offset_seconds": 0, "timezone": "GMT", "timezone_abbreviation": "GMT", "elevation": 120.0,
                "hourly_units": {k: units[k] for k in ("time", *hourly)},
                "hourly": {"time": times, **cols},
            })
        return out[0] if len(out) == 1 else out
