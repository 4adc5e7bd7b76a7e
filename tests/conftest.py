"""Shared fixtures: paths to the bundled real files and the optional shared corpus."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"
#: The full real-data corpus beside the repository (CI has it); override with RUNLOG_SHARED_DATA.
SHARED = Path(os.environ.get("RUNLOG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "real"))


def pytest_collection_modifyitems(config, items):
    """A test that reads the shared corpus (fixture ``shared_dir``) is a ``shared`` test, marked or not:
    ``make test-fast`` leaves it out."""
    for item in items:
        if "shared_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: real MIT/Apache files bundled with the repository."""
    return DATA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared/data/real, or skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Keep the suite hermetic: imports with the default cache and the settings file (and CLI subprocesses,
    which inherit the environment) write to a temporary folder, never to the user's
    cache.  Tests that need another location set RUNLOG_CACHE_DIR themselves."""
    # the settings file too: a runner's own settings.toml must not change the suite's numbers
    new = {"RUNLOG_CACHE_DIR": str(tmp_path_factory.mktemp("runlog-cache")),
           "RUNLOG_SETTINGS": str(tmp_path_factory.mktemp("runlog-config") / "settings.toml")}
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


#: Where the weather client is pointed during the suite: a local port nothing listens on.
DEAD_WEATHER_URL = "http://127.0.0.1:9/v1/archive"


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _no_network():
    """No test can reach the network.

    The weather client's address (``RUNLOG_WEATHER_URL``, inherited by CLI
    subprocesses) is a dead local port, and in this process any socket
    connection or name look-up outside the loopback range raises at once.
    Tests that need the weather service start a local one
    (tests/weather_server.py) and point the variable at it.
    """
    old = os.environ.get("RUNLOG_WEATHER_URL")
    os.environ["RUNLOG_WEATHER_URL"] = DEAD_WEATHER_URL
    real = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    real_connect, real_connect_ex, real_getaddrinfo = real

    def refuse(address):
        if isinstance(address, tuple) and not _local(address[0]):
            raise ConnectionRefusedError(f"tests may not reach the network (tried {address[0]})")

    def connect(self, address):
        refuse(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        refuse(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            raise socket.gaierror(f"tests may not look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    yield
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = real
    if old is None:
        os.environ.pop("RUNLOG_WEATHER_URL", None)
    else:
        os.environ["RUNLOG_WEATHER_URL"] = old


@pytest.fixture
def archive(httpserver, monkeypatch, tmp_path):
    """A local stand-in for Open-Meteo's archive API (tests/weather_server.py), with RUNLOG_WEATHER_URL
    pointing at it and a fresh runlog cache folder (so a fresh weather cache)."""
    import weather_server

    fake = weather_server.FakeArchive(httpserver)
    monkeypatch.setenv("RUNLOG_WEATHER_URL", fake.url)
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(tmp_path / "cache"))
    return fake


@pytest.fixture(scope="session")
def simulated(tmp_path_factory):
    """Simulated seasons, each written once per session: ``simulated(scenario, seed, **kw)`` returns the
    :class:`runlog.simulate.Season` of ``simulate_season(scenario=scenario, seed=seed, **kw)``, the
    same object for the same arguments in every test module (files written in a session folder)."""
    from runlog import simulate

    root = tmp_path_factory.mktemp("seasons")
    cache: dict[str, object] = {}

    def season(scenario: str = "hydration", seed: int = 3, **kw):
        key = repr((scenario, seed, sorted(kw.items())))
        if key not in cache:
            cache[key] = simulate.simulate_season(root / f"season{len(cache)}", scenario=scenario, seed=seed, **kw)
        return cache[key]

    return season


@pytest.fixture(scope="session")
def season_read():
    """A simulated season read back once per session through the public API: ``season_read(season)``
    returns {'history', 'notes', 'weather', 'features'} (weather: the season's table; features with
    the notes and weather), the same objects for the same season folder in every test module."""
    import warnings

    import pandas as pd

    import runlog

    cache: dict[str, dict] = {}

    def read(season) -> dict:
        key = str(season.out_dir)
        if key not in cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hist = runlog.read_history(season.gpx_dir, cache=False, workers=1, progress=False)
                notes = runlog.read_run_notes(season.notes_csv, history=hist)
                weather = pd.read_csv(season.weather_csv)
                feats = runlog.run_features(hist, notes=notes, weather=weather)
            cache[key] = {"history": hist, "notes": notes, "weather": weather, "features": feats}
        return cache[key]

    return read
