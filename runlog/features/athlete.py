"""The runner's physiology: the constants the features need (HR max/rest, sex, mass).

:class:`Athlete` is a small frozen dataclass.  Values the runner did not give
are estimated from the history where that is defensible, otherwise a
documented default is used -- and either way the choice is written into
:attr:`Athlete.estimated`, never hidden::

    athlete = runlog.Athlete.from_history(history, hr_rest_bpm=48)
    athlete.estimated
    # {'hr_max_bpm': 'estimated: 98th percentile of the 57 per-run maximum HRs ...', ...}
    athlete.provenance()      # one row per value: value, unit, status (given / estimated / default / unknown), how

The runner can give them once, in a settings file (TOML) in the platform's
config folder (:func:`settings_path`: ``~/.config/runlog/settings.toml`` on
Linux, ``~/Library/Application Support/runlog/settings.toml`` on macOS,
``%LOCALAPPDATA%\\runlog\\settings.toml`` on Windows; ``$RUNLOG_SETTINGS``
names another file)::

    [athlete]
    hr_max_bpm = 186
    hr_rest_bpm = 48
    sex = "female"

:meth:`Athlete.from_history` reads it (values passed to it win), and so does
``runlog report`` (its ``--hr-max``, ``--hr-rest`` and ``--sex`` win).
"""

from __future__ import annotations

import os
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AthleteError

__all__ = [
    "Athlete", "AthleteError", "TRIMP_CONSTANTS", "DEFAULT_HR_REST_BPM", "DEFAULT_BODY_MASS_KG",
    "estimate_hr_max_bpm", "settings_path", "read_settings", "UNITS", "PROVENANCE_COLUMNS",
]

#: Unit of each Athlete value, as the report shows it.
UNITS = {"hr_max_bpm": "beats/min", "hr_rest_bpm": "beats/min", "sex": "", "body_mass_kg": "kg",
         "threshold_hr_bpm": "beats/min", "threshold_speed_mps": "m/s"}
#: Columns of :meth:`Athlete.provenance`.
PROVENANCE_COLUMNS = ["value", "unit", "status", "how"]

#: Banister TRIMP weighting constants (a, b) by sex: ``a * exp(b * HRr)``
#: (Morton, Fitz-Clarke & Banister 1990, J Appl Physiol 69:1171-1177; derived
#: from the blood-lactate response to HR reserve in men and women).
TRIMP_CONSTANTS = {"male": (0.64, 1.92), "female": (0.86, 1.67)}

#: Resting HR used when the runner gives none [1/min]: recordings made while
#: exercising cannot tell it, so a typical adult value is used and reported.
DEFAULT_HR_REST_BPM = 60.0
#: Body mass used when neither the runner nor the notes give one [kg].
DEFAULT_BODY_MASS_KG = 70.0
#: Plausible HR bounds [1/min]; samples outside are treated as artefacts.
HR_PLAUSIBLE_BPM = (30.0, 230.0)


def _frozen_mapping(m) -> Mapping:
    return types.MappingProxyType(dict(m or {}))


@dataclass(frozen=True)
class Athlete:
    """A runner's physiological constants.

    Attributes
    ----------
    hr_max_bpm : float or None
        Maximum heart rate [1/min].
    hr_rest_bpm : float or None
        Resting heart rate [1/min].
    sex : {'male', 'female'} or None
        Selects the TRIMP constants (:data:`TRIMP_CONSTANTS`); None uses the
        male constants (Morton et al. 1990 derived both; the male pair is the
        one used in most software) -- :meth:`from_history` reports this.
    body_mass_kg : float or None
        Body mass [kg] (sweat loss as % of body mass).
    threshold_hr_bpm : float or None
        Lactate-threshold heart rate [1/min], optional.
    threshold_speed_mps : float or None
        Threshold pace as a speed [m/s], optional.
    estimated : Mapping[str, str]
        For every value that was *not* given by the runner: how it was
        obtained ('estimated: ...' from the history, 'default: ...', or
        'unknown: ...').  Read-only; not part of equality.
    given : Mapping[str, str]
        For values the runner gave, where (e.g. 'settings file
        ~/.config/runlog/settings.toml', 'command line'); a value in neither
        mapping was passed in Python.  Read-only; not part of equality.
    """

    hr_max_bpm: float | None = None
    hr_rest_bpm: float | None = None
    sex: str | None = None
    body_mass_kg: float | None = None
    threshold_hr_bpm: float | None = None
    threshold_speed_mps: float | None = None
    estimated: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)
    given: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "estimated", _frozen_mapping(self.estimated))
        object.__setattr__(self, "given", _frozen_mapping(self.given))
        for f in ("hr_max_bpm", "hr_rest_bpm", "body_mass_kg", "threshold_hr_bpm", "threshold_speed_mps"):
            v = getattr(self, f)
            if v is not None:
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    raise AthleteError(f"Athlete.{f} must be a number, got {v!r}") from None
                if not np.isfinite(v) or v <= 0:
                    raise AthleteError(f"Athlete.{f} must be a positive number, got {v!r}")
                object.__setattr__(self, f, v)
        if self.sex is not None:
            s = str(self.sex).strip().lower()
            s = {"m": "male", "f": "female", "man": "male", "woman": "female"}.get(s, s)
            if s not in TRIMP_CONSTANTS:
                raise AthleteError(f"Athlete.sex must be 'male', 'female' or None, got {self.sex!r}")
            object.__setattr__(self, "sex", s)
        lo, hi = HR_PLAUSIBLE_BPM
        for f in ("hr_max_bpm", "hr_rest_bpm", "threshold_hr_bpm"):
            v = getattr(self, f)
            if v is not None and not lo <= v <= hi:
                raise AthleteError(f"Athlete.{f}={v:g} 1/min is outside {lo:g}-{hi:g}; give heart rates in beats/min")
        if self.hr_max_bpm is not None and self.hr_rest_bpm is not None and self.hr_rest_bpm >= self.hr_max_bpm:
            raise AthleteError(
                f"Athlete.hr_rest_bpm ({self.hr_rest_bpm:g}) must be below hr_max_bpm ({self.hr_max_bpm:g})")

    def __reduce__(self):
        # MappingProxyType cannot be pickled or deep-copied (DataFrame.attrs deep-copies)
        vals = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("estimated", "given")}
        return (_rebuild_athlete, (vals, dict(self.estimated), dict(self.given)))

    @property
    def trimp_constants(self) -> tuple[float, float]:
        """TRIMP weighting (a, b) for :attr:`sex` (male constants when unknown)."""
        return TRIMP_CONSTANTS[self.sex or "male"]

    @classmethod
    def from_history(cls, history=None, *, notes: pd.DataFrame | None = None, settings=True,
                     given_by: str | None = None, **known) -> Athlete:
        """An Athlete from the values the runner knows, the rest estimated.

        Parameters
        ----------
        history : runlog.History, optional
            Used to estimate ``hr_max_bpm`` (:func:`estimate_hr_max_bpm`).
        notes : DataFrame, optional
            Run notes (:func:`runlog.read_run_notes`); the median of
            ``body_mass_pre_kg`` estimates ``body_mass_kg``.
        settings : bool, str or PathLike, default True
            Read the values of the settings file's ``[athlete]`` table
            (:func:`read_settings`; True: the file at :func:`settings_path`,
            when there is one); *known* values win.  False: no file.
        given_by : str, optional
            Where the *known* values come from, for :attr:`given` (e.g.
            'command line'); default: passed in Python.
        **known
            Any :class:`Athlete` field the runner knows (None = unknown).

        Returns
        -------
        Athlete
            With :attr:`estimated` saying, for every value not given, how it
            was obtained:

            * ``hr_max_bpm``: 98th percentile of the per-run maximum HR
              (a lower bound if the runner never ran all-out); None when the
              history has no HR.
            * ``hr_rest_bpm``: :data:`DEFAULT_HR_REST_BPM` (not estimable
              from exercise recordings).
            * ``sex``: None, TRIMP uses the male constants.
            * ``body_mass_kg``: median pre-run mass in the notes, else
              :data:`DEFAULT_BODY_MASS_KG`.
            * ``threshold_hr_bpm``, ``threshold_speed_mps``: left None (no
              defensible estimate without a test).
        """
        names = {f.name for f in fields(cls)} - {"estimated", "given"}
        unknown = set(known) - names
        if unknown:
            raise AthleteError(f"unknown Athlete value(s) {sorted(unknown)}; use {sorted(names)}")
        vals = {k: v for k, v in known.items() if v is not None}
        given = {k: given_by for k in vals} if given_by else {}
        if settings is not False:
            path = settings_path() if settings is True else Path(os.fspath(settings))
            for k, v in read_settings(path, missing_ok=settings is True).items():
                if k not in vals:
                    vals[k] = v
                    given[k] = f"settings file {path}"
        est: dict[str, str] = {}
        if "hr_max_bpm" not in vals:
            hr_max, how = estimate_hr_max_bpm(history) if history is not None else (None, "no history given")
            if hr_max is not None:
                vals["hr_max_bpm"] = hr_max
                est["hr_max_bpm"] = (f"estimated: {how}; measured maxima are preferred to age formulas, which "
                                     "miss by about 10 beats/min for one person (Tanaka, Monahan & Seals 2001, "
                                     "J Am Coll Cardiol 37:153-156)")
            else:
                est["hr_max_bpm"] = f"unknown: {how}; HR-based features are NaN"
        if "hr_rest_bpm" not in vals:
            rest, what = DEFAULT_HR_REST_BPM, "a typical adult value"
            if "hr_max_bpm" in vals and rest >= vals["hr_max_bpm"]:
                rest, what = 0.4 * vals["hr_max_bpm"], "40 % of the maximum (the typical 60 is above it)"
            vals["hr_rest_bpm"] = rest
            est["hr_rest_bpm"] = (f"default: {what} (resting HR cannot be "
                                  "estimated from exercise recordings; it sets the heart-rate reserve of zones and "
                                  "TRIMP, Karvonen, Kentala & Mustala 1957, Ann Med Exp Biol Fenn 35:307-315)")
        if "sex" not in vals:
            est["sex"] = ("unknown: training load (TRIMP) uses the men's constants a=0.64, b=1.92; the women's are "
                          "0.86, 1.67 (Morton, Fitz-Clarke & Banister 1990, J Appl Physiol 69:1171-1177)")
        if "body_mass_kg" not in vals:
            pre = None
            if notes is not None and "body_mass_pre_kg" in notes:
                m = pd.to_numeric(notes["body_mass_pre_kg"], errors="coerce").dropna()
                m = m[(m > 20) & (m < 300)]
                if len(m):
                    pre = float(m.median())
                    est["body_mass_kg"] = f"estimated: median body mass before the run in {len(m)} run notes"
            if pre is None:
                pre = DEFAULT_BODY_MASS_KG
                est["body_mass_kg"] = "default: a typical adult value, used for sweat loss as a share of body mass"
            vals["body_mass_kg"] = pre
        for f in ("threshold_hr_bpm", "threshold_speed_mps"):
            if f not in vals:
                est[f] = "unknown: not estimated (needs a threshold test)"
        return cls(**vals, estimated=est, given=given)

    def with_values(self, **changes) -> Athlete:
        """A copy with some values given by the runner (their 'estimated' notes dropped).

        Parameters
        ----------
        **changes
            Field name -> value given by the runner (e.g. ``hr_max_bpm=188`` [1/min]).

        Returns
        -------
        Athlete
            A new object; this one is unchanged.
        """
        est = {k: v for k, v in self.estimated.items() if k not in changes}
        given = {k: v for k, v in self.given.items() if k not in changes}
        return replace(self, **changes, estimated=est, given=given)

    def to_series(self) -> pd.Series:
        """The values and, beside them, how each was obtained ('given' when the runner gave it).

        Returns
        -------
        Series
            MultiIndex (field, ``value`` / ``source``).
        """
        rows = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("estimated", "given")}
        return pd.DataFrame({
            "value": pd.Series(rows, dtype=object),
            "source": pd.Series({k: self.estimated.get(k, "given") for k in rows}, dtype=object),
        }).stack()


    def provenance(self) -> pd.DataFrame:
        """Which values the runner gave and which were assumed: the machine-readable record the
        report's caveats are written from.

        Returns
        -------
        DataFrame
            Index: the value's name (``hr_max_bpm``, ``hr_rest_bpm``, ``sex``,
            ``body_mass_kg``, ``threshold_hr_bpm``, ``threshold_speed_mps``);
            columns :data:`PROVENANCE_COLUMNS`: ``value`` (None when unknown),
            ``unit``, ``status`` ('given', 'estimated' from the history,
            'default' or 'unknown') and ``how`` (where it was given, or the
            method and its source).
        """
        rows = []
        names = [f.name for f in fields(self) if f.name not in ("estimated", "given")]
        for name in names:
            note = self.estimated.get(name)
            if note is None:
                status, how = "given", self.given.get(name, "passed in Python")
            else:
                status, _, how = note.partition(": ")
                status = status if status in ("estimated", "default", "unknown") else "estimated"
            rows.append({"value": getattr(self, name), "unit": UNITS.get(name, ""), "status": status, "how": how})
        out = pd.DataFrame(rows, index=pd.Index(names, name="value_name"), columns=PROVENANCE_COLUMNS)
        out["value"] = pd.Series([r["value"] for r in rows], index=out.index, dtype=object)   # None, not NaN
        return out


def _rebuild_athlete(values: dict, estimated: dict, given: dict | None = None) -> Athlete:
    return Athlete(**values, estimated=estimated, given=given or {})


def settings_path() -> Path:
    """Where runlog's settings file is: ``$RUNLOG_SETTINGS`` if set, else ``settings.toml`` in
    ``platformdirs.user_config_dir('runlog')``.

    Returns
    -------
    Path
        The file (it need not exist).
    """
    env = os.environ.get("RUNLOG_SETTINGS")
    if env:
        return Path(os.path.expanduser(env))
    import platformdirs

    return Path(platformdirs.user_config_dir("runlog")) / "settings.toml"


def read_settings(path=None, *, missing_ok: bool = True) -> dict:
    """The ``[athlete]`` table of a settings file (TOML), checked.

    Parameters
    ----------
    path : str or PathLike, optional
        The file; default :func:`settings_path`.
    missing_ok : bool, default True
        A file that does not exist gives ``{}``; False: an error.

    Returns
    -------
    dict
        Athlete field -> value, e.g. ``{'hr_max_bpm': 186.0, 'hr_rest_bpm': 48.0, 'sex': 'female'}``;
        values checked as :class:`Athlete` checks them.

    Raises
    ------
    AthleteError
        A file that is not TOML (with the line), an unknown key, or a value
        that cannot be right; the message names the file and the fix.
    """
    import tomllib

    path = settings_path() if path is None else Path(os.fspath(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise AthleteError(f"{path}: no such settings file; check the path") from None
    except OSError as exc:
        raise AthleteError(f"{path}: the settings file cannot be read ({exc.strerror or exc})") from exc
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AthleteError(f"{path}: is not a TOML settings file ({exc}); write e.g. [athlete] then "
                           "hr_max_bpm = 186 on the next line") from exc
    table = doc.get("athlete", {})
    if not isinstance(table, dict):
        raise AthleteError(f"{path}: 'athlete' must be a table: write [athlete] on a line of its own")
    names = [f.name for f in fields(Athlete) if f.name not in ("estimated", "given")]
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise AthleteError(f"{path}: [athlete] has unknown key(s) {', '.join(unknown)}; the keys are "
                           f"{', '.join(names)}")
    try:
        checked = Athlete(**table)
    except AthleteError as exc:
        raise AthleteError(f"{path}: {exc}") from None
    except TypeError as exc:
        raise AthleteError(f"{path}: {exc}") from None
    return {k: getattr(checked, k) for k in table}


def estimate_hr_max_bpm(history, percentile: float = 98.0) -> tuple[float | None, str]:
    """Estimate maximum heart rate from a history.

    Parameters
    ----------
    history : runlog.History
    percentile : float
        Percentile of the per-run maximum HR values [%].  Using a high
        percentile of the per-run maxima (not the single highest sample)
        drops isolated optical-sensor spikes.

    Returns
    -------
    (hr_max_bpm, how) : float or None, str
        None when no run has a plausible HR (:data:`HR_PLAUSIBLE_BPM`).  The
        estimate is a lower bound when the runner never ran all-out.
    """
    rec = history.records
    if "hr_bpm" not in rec or not len(rec):
        return None, "the history has no heart-rate records"
    hr = rec["hr_bpm"]
    lo, hi = HR_PLAUSIBLE_BPM
    hr = hr.where((hr >= lo) & (hr <= hi))
    per_run = hr.groupby(level=0, sort=False).max().dropna()
    if per_run.empty:
        return None, "the history has no heart-rate records"
    value = float(np.percentile(per_run.to_numpy(), percentile))
    return round(value, 1), (f"{percentile:g}th percentile of the {len(per_run)} per-run maximum HRs "
                             f"(a lower bound if no run was all-out)")
