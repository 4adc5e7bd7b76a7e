"""``run_features``: assemble every per-run feature into one frame."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import RunlogWarning
from . import catalog
from ._segments import segments
from .athlete import Athlete
from .context import RUNNING_SPORTS, context_features, is_running, notes_features
from .form import cadence_line, cadence_vs_pace_spm, dynamics_features, form_features
from .heat import heat_features
from .intensity import intensity_features, speed_vs_usual_pct, volume_features
from .load import load_features
from .terrain import terrain_features
from .warmup import warmup_features

__all__ = ["run_features", "session_load", "in_run_features", "usual_speed_mps", "IN_RUN_COLUMNS"]

#: Catalogue columns measured during the run (``Feature.in_run``): for the analysis they
#: are computed on the part of each run before numbness started (:func:`in_run_features`).
IN_RUN_COLUMNS = tuple(n for n, f in catalog.FEATURES.items() if f.in_run)


def usual_speed_mps(runs: pd.DataFrame, running: pd.Series) -> float:
    """The runner's usual speed: median average speed of the running activities [m/s].

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``avg_speed_mps``).
    running : Series of bool
        Which activities are runs.

    Returns
    -------
    float
        Usual speed [m/s]; NaN without a running activity with a positive speed.
    """
    sp = pd.to_numeric(runs["avg_speed_mps"], errors="coerce").astype("float64")
    sp = sp[running.reindex(sp.index).fillna(False).to_numpy(dtype=bool) & (sp > 0).to_numpy()]
    return float(sp.median()) if len(sp) else float("nan")


def session_load(trimp: pd.Series, moving_min: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each activity's load for the daily series, imputing activities without HR.

    ``load = TRIMP``; where TRIMP is missing, ``moving minutes * median(TRIMP /
    moving minutes)`` over the activities with HR (so a run recorded
    without a strap still counts, at the runner's typical intensity).  NaN
    when no activity in the history has HR.

    Parameters
    ----------
    trimp : Series
        Each activity's TRIMP [AU]; NaN without HR.
    moving_min : Series
        Each activity's moving time [min], same index.

    Returns
    -------
    (load, imputed) : Series [AU], Series of bool
    """
    ok = trimp.notna() & (moving_min > 0)
    per_min = float((trimp[ok] / moving_min[ok]).median()) if ok.any() else np.nan
    load = trimp.fillna(moving_min * per_min)
    imputed = trimp.isna() & load.notna()
    return load, imputed


def _session_load(trimp: pd.Series, moving_min: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """:func:`session_load`, or moving minutes when no activity of the history has HR."""
    if trimp.notna().any() or moving_min.isna().all():
        load, imputed = session_load(trimp, moving_min)
        return load, imputed, "trimp"
    warnings.warn("no activity in the history has heart rate: training load (load_*, acwr_*, monotony, "
                  "strain, ctl/atl/tsb) uses moving minutes instead of TRIMP", RunlogWarning, stacklevel=3)
    return moving_min.astype("float64"), pd.Series(False, index=trimp.index), "moving_min"


def _clean_notes(notes: pd.DataFrame | None) -> pd.DataFrame | None:
    if notes is None:
        return None
    if not isinstance(notes, pd.DataFrame):
        raise TypeError("notes must be the DataFrame returned by runlog.read_run_notes")
    n = notes[notes.index.notna()]
    if n.index.has_duplicates:
        dup = sorted(set(n.index[n.index.duplicated()]))
        warnings.warn(f"run notes have several rows for run(s) {dup[:5]}; the first row of each is used",
                      RunlogWarning, stacklevel=3)
        n = n[~n.index.duplicated(keep="first")]
    n = n.copy()
    n.index = n.index.astype("object")
    return n


def _air(history, weather, tolerance):
    """The joined weather of every run (index run_id) and its
    :class:`runlog.features.weather.WeatherInfo`, or (None, None)."""
    if weather is None:
        return None, None
    from . import weather as wx

    if isinstance(weather, pd.DataFrame) and weather.index.name == "run_id" and "air_temp_c" in weather:
        return weather, weather.attrs.get("weather")
    wx._check_meteostat(weather)
    if wx.is_auto(weather):
        weather = wx.fetch(history)
    positions = wx.run_positions(history.records)
    info = weather.attrs.get("weather") if isinstance(weather, pd.DataFrame) else None
    joined = wx.join_weather(history.runs, weather, positions=positions, tolerance=tolerance)
    info = info if info is not None else wx.table_info(history.runs)
    return joined, info.with_joined(joined)


def run_features(history, athlete: Athlete | None = None, *, notes: pd.DataFrame | None = None,
                 weather=None, running_sports=RUNNING_SPORTS, weather_tolerance="90min",
                 trimp_constants: tuple[float, float] | None = None) -> pd.DataFrame:
    """Per-run features of a history, one row per activity.

    Parameters
    ----------
    history : runlog.History
    athlete : Athlete, optional
        Default :meth:`Athlete.from_history` (HR max estimated, resting HR and
        body mass defaults -- see ``result.attrs['athlete'].estimated``).
    notes : DataFrame, optional
        :func:`runlog.read_run_notes` output (index run_id).  Known columns
        are mapped to their cause; other columns become candidates with
        cause 'other'.
    weather : DataFrame, str or PathLike, optional
        An hourly table for :func:`runlog.features.weather.join_weather` (CSV path or
        frame, e.g. :func:`runlog.features.weather.fetch` output), or its result
        (index run_id with ``air_temp_c`` / ``rel_humidity_pct``), or
        ``'auto'``: download it for the running activities
        (:func:`runlog.features.weather.fetch`: Open-Meteo, rounded places and dates
        sent, cached; runs it cannot get are 'weather unknown', never an
        error).
    running_sports : iterable of str
        Sports counted as running (:data:`runlog.features.context.RUNNING_SPORTS`).
    weather_tolerance : str
        Largest time gap between a run's middle and a weather observation.
    trimp_constants : (a, b), optional
        Override the TRIMP weighting ``HRr * a * exp(b * HRr)``; default by
        the athlete's sex: men 0.64/1.92, women 0.86/1.67 (Morton,
        Fitz-Clarke & Banister 1990; the two pairs follow the different
        blood-lactate rise with HR reserve of men and women).

    Returns
    -------
    DataFrame
        Index ``run_id`` (every activity of ``history.runs``, all sports),
        one column per feature; every column is described in
        ``attrs['catalog']`` (name -> :class:`~runlog.schema.Feature`: unit,
        formula, citation, cause, candidate): the fixed columns of
        :data:`runlog.features.catalog.FEATURES` plus this call's run-notes columns
        (the global catalogue is not changed).  Conventions:

        * training load counts **all sports** (a ride tires the runner);
          distance windows, the longest-run spike, cadence/step and the
          sweat-loss estimate use **running** activities only;
        * load-history windows end the day before the run; windows that
          would reach before the history are NaN (warm-up), not zero;
        * ``attrs['athlete']``: the :class:`Athlete` used (its
          ``estimated`` says which values were estimated and how);
          ``attrs['trimp_constants']``: (a, b) used;
          ``attrs['load_unit']``: 'trimp', or 'moving_min' when no activity
          in the history has HR (a :class:`~runlog.errors.RunlogWarning` says so);
          ``attrs['weather']``: the :class:`runlog.features.weather.WeatherInfo` of the
          weather used (where it came from, runs without and why), None without.

        pandas writes ``attrs`` as JSON into a Parquet file, and these are objects, so
        ``to_parquet`` refuses them: save the values with ``f = features.copy();
        f.attrs = {}; f.to_parquet(path)`` (``to_csv`` keeps no attrs).

    References
    ----------
    .. [1] Morton, R. H., Fitz-Clarke, J. R. & Banister, E. W. (1990). Modeling
       human performance in running. J Appl Physiol 69(3):1171-1177.
    """
    runs = history.runs
    if athlete is None:
        athlete = Athlete.from_history(history, notes=notes)
    elif not isinstance(athlete, Athlete):
        raise TypeError("athlete must be a runlog.Athlete (e.g. runlog.Athlete(hr_max_bpm=190, hr_rest_bpm=50))")
    notes = _clean_notes(notes)
    air, weather_info = _air(history, weather, weather_tolerance)   # first: a bad weather table fails fast
    rec = history.records
    if len(rec):
        keep = rec.index.levels[0].isin(runs.index)[rec.index.codes[0]]
        if not keep.all():
            rec = rec[keep]
    seg = segments(rec)
    running = is_running(runs, running_sports)
    a, b = athlete.trimp_constants if trimp_constants is None else (float(x) for x in trimp_constants)
    idx = runs.index

    def per_run(df):
        return df.reindex(idx)

    vol = volume_features(runs)
    vol["speed_vs_usual_pct"] = speed_vs_usual_pct(vol["avg_speed_mps"], usual_speed_mps(runs, running))
    inten = per_run(intensity_features(rec, athlete.hr_rest_bpm, athlete.hr_max_bpm, a, b, seg=seg))
    load, imputed, load_unit = _session_load(inten["trimp"], vol["moving_min"])
    terr = per_run(terrain_features(rec, runs, seg=seg))
    dyn = dynamics_features(rec, running, seg=seg)
    parts = [
        context_features(runs, notes, running),
        vol,
        inten,
        pd.DataFrame({"session_load_au": load, "load_imputed": imputed.astype(bool)}, index=idx),
        load_features(runs, load, running),
        heat_features(runs, air, notes, athlete.body_mass_kg, running,
                      terr["ascent_m"]),
        per_run(warmup_features(rec, athlete.hr_rest_bpm, athlete.hr_max_bpm, seg=seg)),
        per_run(form_features(rec, running, seg=seg)),
        per_run(dyn),
        terr,
    ]
    out = pd.concat(parts, axis=1)
    line = cadence_line(out["avg_cadence_spm"], out["avg_speed_mps"])
    out["cadence_vs_pace_spm"] = cadence_vs_pace_spm(out["avg_cadence_spm"], out["avg_speed_mps"], line)
    out = out.reindex(columns=list(catalog.FEATURES))   # every column, even for an empty history
    for c, f in catalog.FEATURES.items():
        if f.dtype == "float64":
            out[c] = out[c].astype("float64")
    extra, feats = notes_features(notes, idx, taken=set(out.columns))
    if len(extra.columns):
        out = pd.concat([out, extra], axis=1)
    out.index.name = "run_id"
    out.attrs["catalog"] = catalog.with_entries(feats)
    out.attrs["athlete"] = athlete
    out.attrs["trimp_constants"] = (a, b)
    out.attrs["load_unit"] = load_unit
    out.attrs["cadence_line"] = line   # last: pd.concat with the notes columns drops earlier attrs
    out.attrs["step_line"] = dyn.attrs["step_line"]
    out.attrs["weather"] = weather_info
    return out


def _windowed_runs(seg, runs: pd.DataFrame) -> pd.DataFrame:
    """``History.runs`` summary columns recomputed on windowed records (vectorised
    :func:`runlog.history.summarize_records`)."""
    from ..history import ascent_by_run
    from ._segments import gmax, gmin, gsum, wmean

    out = runs.reindex(seg.run_ids).copy()
    if seg.n == 0:
        return out
    dist = seg.col("distance_m")
    first = dist[seg.starts]
    out["distance_m"] = gmax(seg, dist) - np.where(np.isnan(first), gmin(seg, dist), first)
    out["elapsed_s"] = gmax(seg, seg.elapsed_s)
    out["moving_s"] = gsum(seg, np.where(seg.moving, seg.dt_s, 0.0))
    out["avg_speed_mps"] = np.where(out["moving_s"] > 0, out["distance_m"] / out["moving_s"].where(
        out["moving_s"] > 0), np.nan)
    temp = seg.col("temp_c")
    out["avg_temp_c"] = wmean(seg, temp, seg.dt_s)
    out["max_temp_c"] = gmax(seg, temp)
    out["ascent_m"] = ascent_by_run(seg.col("altitude_m"), seg.starts)
    return out


def in_run_features(history, window_min: pd.Series, athlete: Athlete | None = None, *,
                    running_sports=RUNNING_SPORTS, trimp_constants: tuple[float, float] | None = None,
                    usual_speed: float | None = None,
                    cadence_ref: tuple[float, float] | None = None,
                    step_ref: tuple[float, float] | None = None) -> pd.DataFrame:
    """The features measured during a run, computed on its first *window_min* minutes only.

    For the analysis, whatever happens during a run may be a consequence of
    numbness (a runner stops to loosen the laces, slows down, their cadence
    changes) rather than its cause.  So the in-run features
    (:data:`IN_RUN_COLUMNS`: heart rate and its zones, TRIMP, decoupling, pace
    and its variability, stops, cadence and its drift, running dynamics and
    the drift of the left/right balance, warm-up measures, climbing, device
    temperature) are computed, for a run with numbness, on
    the part before onset, and for the other runs on a comparable window.

    Parameters
    ----------
    history : runlog.History
    window_min : Series of float
        Minutes from the start of each run to use (index run_id); NaN or
        missing: the whole run.
    athlete : Athlete, optional
        As for :func:`run_features`.
    running_sports : iterable of str
        Sports counted as running.
    trimp_constants : (a, b), optional
        As for :func:`run_features`.
    usual_speed : float, optional
        The runner's usual speed [m/s] for ``speed_vs_usual_pct``; default the
        median average speed of the whole runs (:func:`usual_speed_mps`), so
        that the reference does not depend on the windows.
    cadence_ref : (a, b), optional
        The runner's cadence-speed line for ``cadence_vs_pace_spm``
        (``run_features(...).attrs['cadence_line']``); default fitted on the
        whole runs.
    step_ref : (a, b), optional
        The runner's step-length-speed line for ``step_length_vs_pace_pct``
        (``run_features(...).attrs['step_line']``); default fitted on the
        whole runs.

    Returns
    -------
    DataFrame
        Index run_id (every run of the history), the :data:`IN_RUN_COLUMNS`.
    """
    runs = history.runs
    if athlete is None:
        athlete = Athlete.from_history(history)
    running = is_running(runs, running_sports)
    a, b = athlete.trimp_constants if trimp_constants is None else (float(x) for x in trimp_constants)
    rec = history.records
    if len(rec):
        keep = rec.index.levels[0].isin(runs.index)[rec.index.codes[0]]
        rec = rec[keep]
        win_s = window_min.reindex(runs.index).astype("float64").to_numpy() * 60.0
        win_s = pd.Series(np.where(np.isfinite(win_s), win_s, np.inf), index=runs.index)
        el = rec["elapsed_s"].to_numpy(dtype="float64", na_value=np.nan)
        lim = win_s.reindex(rec.index.get_level_values(0)).to_numpy()
        rec = rec[~(el > lim)]
    seg = segments(rec)
    idx = runs.index
    wruns = _windowed_runs(seg, runs).reindex(idx)
    vol = volume_features(wruns)
    usual = usual_speed_mps(runs, running) if usual_speed is None else float(usual_speed)
    vol["speed_vs_usual_pct"] = speed_vs_usual_pct(vol["avg_speed_mps"], usual)
    heat = pd.DataFrame({"device_temp_mean_c": pd.to_numeric(wruns["avg_temp_c"], errors="coerce"),
                         "device_temp_max_c": pd.to_numeric(wruns["max_temp_c"], errors="coerce")}, index=idx)
    parts = [
        vol,
        intensity_features(rec, athlete.hr_rest_bpm, athlete.hr_max_bpm, a, b, seg=seg).reindex(idx),
        heat,
        warmup_features(rec, athlete.hr_rest_bpm, athlete.hr_max_bpm, seg=seg).reindex(idx),
        form_features(rec, running, seg=seg).reindex(idx),
        terrain_features(rec, wruns, seg=seg).reindex(idx),
    ]
    if step_ref is None:   # the runner's usual step length at each pace, from the whole runs
        step_ref = dynamics_features(history.records, running).attrs["step_line"]
    parts.append(dynamics_features(rec, running, seg=seg, step_ref=step_ref).reindex(idx))
    out = pd.concat(parts, axis=1)
    out = out.loc[:, ~out.columns.duplicated()]
    if cadence_ref is None:
        whole = form_features(history.records, running).reindex(idx)
        cadence_ref = cadence_line(whole["avg_cadence_spm"], runs["avg_speed_mps"].astype("float64"))
    out["cadence_vs_pace_spm"] = cadence_vs_pace_spm(out["avg_cadence_spm"], out["avg_speed_mps"], cadence_ref)
    out = out.reindex(columns=list(IN_RUN_COLUMNS)).astype("float64")
    out.index.name = "run_id"
    return out
