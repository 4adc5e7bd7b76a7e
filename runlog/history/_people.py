"""Activities that are likely someone else's: a partner's runs in the same export.

A Strava or Garmin account, a family's shared watch, or a folder of files gathered from two
devices can hold another person's runs.  Their runs are never in the journal, so they count as
runs *without* numbness, and whatever sets them apart (a slower pace, a quicker cadence,
evening runs) then looks like it protects against numbness.

How the runs of a second person are recognised, without looking at the journal (which would
select on the outcome):

1. Each run gets a *signature* of how its person runs, with what the day and the run explain
   taken out: the pace (log speed) given the run's length and temperature, the cadence given
   the speed, length and temperature, and the heart rate given the same (least squares, refitted
   without the 10 % worst-fitting runs so that a second person does not bend the lines).
   Cadence at a given speed and heart rate at a given speed differ much more between people than
   between one person's runs (Cavanagh & Kram 1989; the individual heart-rate/speed line of
   Vesterinen et al. 2013).
2. A mixture of two, else three, Gaussian components is compared with one (the Bayesian
   information criterion, Schwarz 1978; scikit-learn's ``GaussianMixture``): the runs are
   taken to come from two people only when the mixture is clearly better (BIC lower by at
   least :data:`MIN_BIC_GAIN`), components lie far from the largest one (Mahalanobis distance
   of the means, pooled covariance, at least :data:`MIN_SEPARATION`; a third component can be
   the runner's own hard sessions, which lie nearer, or the partner's long runs beside their
   easy ones), those far components together hold between 5 % and 50 % of the runs
   (:data:`SHARE_RANGE`) and at least :data:`MIN_OTHER_RUNS`, and they take turns with the
   rest through the history (a new watch or a change of fitness splits the history in two
   blocks, not in interleaved runs: :data:`MIN_INTERLEAVING`).
3. The runs whose posterior probability of belonging to the far components is at least
   :data:`MIN_POSTERIOR` are flagged.

References
----------
Cavanagh PR, Kram R (1989). Stride length in distance running: velocity, body dimensions, and
added mass effects. Med Sci Sports Exerc 21, 467-479.
Vesterinen V, et al. (2013). Individual endurance training prescription with heart rate variability.
Med Sci Sports Exerc 45, 1413-1420 (one person's heart rate for a given speed).
Schwarz G (1978). Estimating the dimension of a model. Ann Stat 6, 461-464.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
import pandas as pd

from .._threads import one_thread

__all__ = ["OTHER_COLUMNS", "MIN_BIC_GAIN", "MIN_SEPARATION", "MIN_DEVICE_SEPARATION", "MIN_OTHER_RUNS",
           "MIN_INTERLEAVING", "signatures", "likely_others", "remember_in"]

#: BIC advantage two components need over one.
MIN_BIC_GAIN = 20.0
#: Mahalanobis distance between the two groups' mean signatures (pooled covariance).
MIN_SEPARATION = 8.0
#: Mahalanobis distance between the mean signatures of the runs of two devices for the second device's
#: runs to be taken as another person's (their runs take turns with the first device's).
MIN_DEVICE_SEPARATION = 3.0
#: Smallest group taken for a second person [runs].
MIN_OTHER_RUNS = 6
#: Share bounds of the smaller group.
SHARE_RANGE = (0.05, 0.5)
#: Turns between the groups through the history, per run of the smaller group (0: two blocks, 1: alternating).
MIN_INTERLEAVING = 0.3
#: Posterior probability for a run to be flagged.
MIN_POSTERIOR = 0.9
#: Runs the check needs.
MIN_RUNS = 30

#: Columns of :func:`likely_others`.
OTHER_COLUMNS = ["other", "posterior", "how", "speed_diff_pct", "cadence_diff_spm", "hr_diff_bpm", "start_hour_h"]


def signatures(runs: pd.DataFrame) -> pd.DataFrame:
    """How each run's person runs: the speed, and the cadence and heart rate that go with it.

    A person's cadence and heart rate rise along their own lines with speed (cadence about 10
    steps/min per m/s, Cavanagh & Kram 1989; heart rate by the person's fitness); a second
    person's runs lie on other lines, or at speeds the first person does not run at.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` rows (``avg_speed_mps``, ``avg_cadence_spm``).

    Returns
    -------
    DataFrame
        Index of *runs*; ``log_speed`` (natural log of the average moving speed [m/s]),
        ``cadence`` [steps/min] and ``hr`` [1/min] (averages of the run); NaN where a run lacks
        them or moved slower than 1.2 m/s.
    """
    def col(name):
        return pd.to_numeric(runs[name], errors="coerce").to_numpy(dtype="float64") if name in runs \
            else np.full(len(runs), np.nan)

    speed = col("avg_speed_mps")
    cadence = col("avg_cadence_spm")
    hr = col("avg_hr_bpm")
    with np.errstate(invalid="ignore", divide="ignore"):
        log_speed = np.where(speed > 1.2, np.log(speed), np.nan)
    return pd.DataFrame({"log_speed": log_speed, "cadence": np.where(cadence > 100, cadence, np.nan),
                         "hr": np.where(hr > 60, hr, np.nan)}, index=runs.index)


def _at_speed(runs: pd.DataFrame, column: str, group: pd.Index, rest: pd.Index) -> float:
    """Median difference of *column* between *group* and *rest* at the same speed: each group's
    values against a line in speed fitted to *rest* (NaN when a side lacks the column)."""
    if column not in runs:
        return float("nan")
    y = pd.to_numeric(runs[column], errors="coerce")
    v = pd.to_numeric(runs["avg_speed_mps"], errors="coerce")
    ok = y[rest].notna() & v[rest].notna()
    if ok.sum() < 5 or y[group].notna().sum() < 3:
        return float("nan")
    slope, icpt = np.polyfit(v[rest][ok], y[rest][ok], 1)
    return float((y[group] - (icpt + slope * v[group])).median() - (y[rest] - (icpt + slope * v[rest])).median())


def _separation(a: np.ndarray, b: np.ndarray) -> float:
    """Mahalanobis distance between the means of two groups of rows, pooled within-group covariance."""
    if len(a) < 3 or len(b) < 3:
        return 0.0
    cov = (np.cov(a, rowvar=False) * (len(a) - 1) + np.cov(b, rowvar=False) * (len(b) - 1)) / (len(a) + len(b) - 2)
    diff = a.mean(axis=0) - b.mean(axis=0)
    try:
        return float(np.sqrt(max(diff @ np.linalg.solve(np.atleast_2d(cov), diff), 0.0)))
    except np.linalg.LinAlgError:
        return 0.0


def _turns(member: np.ndarray, order: np.ndarray) -> float:
    """How often a group and the rest take turns in time order, per run of the group (1: alternating)."""
    seq = member[order]
    return int(np.sum(seq[1:] != seq[:-1])) / max(2 * int(seq.sum()), 1)


def _by_device(runs: pd.DataFrame, sig: pd.DataFrame, cols: list[str], order: np.ndarray) -> pd.Series | None:
    """The runs of a second device that take turns with the main device's and differ from them in how
    their person runs (:data:`MIN_DEVICE_SEPARATION`), or None."""
    if "device" not in runs:
        return None
    dev = runs["device"].astype("string").str.strip().str.lower().fillna("")
    counts = dev[dev != ""].value_counts()
    need = max(MIN_OTHER_RUNS, SHARE_RANGE[0] * len(runs))
    big = [d for d, n in counts.items() if n >= need]
    if len(big) < 2:
        return None
    main = big[0]
    for other in big[1:]:
        a, b = dev == other, dev == main
        usable = [c for c in cols if sig.loc[a.to_numpy(), c].notna().mean() >= 0.7
                  and sig.loc[b.to_numpy(), c].notna().mean() >= 0.7]
        if len(usable) < 2:
            continue
        A = sig.loc[a.to_numpy(), usable].dropna().to_numpy()
        B = sig.loc[b.to_numpy(), usable].dropna().to_numpy()
        share = float(a.sum()) / float((a | b).sum())
        if (_separation(A, B) >= MIN_DEVICE_SEPARATION and share <= SHARE_RANGE[1]
                and _turns(a.to_numpy(), order) >= MIN_INTERLEAVING):
            return a.rename(other)
    return None


#: Results of :func:`likely_others` kept by the content of its input (a report asks three times:
#: the import line, the analysis and ``History.others``; each fit takes seconds).
_REMEMBERED: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_REMEMBER = 4
#: The cache that also keeps the answers for later processes (:func:`remember_in`), or None.
_STORE = None


def remember_in(store):
    """Keep :func:`likely_others`' answers in *store* too, so a later process asked about the same
    runs reads the answer (a few milliseconds) instead of importing scikit-learn and fitting the
    mixtures again (0.1-0.2 s of a warm ``runlog report``).

    The ``runlog`` program sets its cache here; in a script or notebook the answers are kept for
    the process only (unless you call this).  The key is the runs' content, the seed, this
    module's source and the numerical libraries' versions, so an answer is never served for
    other runs or other code.

    Parameters
    ----------
    store : runlog.history.ActivityCache or None
        The cache (None: the process only).

    Returns
    -------
    runlog.history.ActivityCache or None
        The store set before (to set it again when a command is done).
    """
    global _STORE
    before, _STORE = _STORE, store
    return before


def _stored_key(key: tuple) -> str | None:
    """The cache key of an answer: the content key, this module's code and the libraries' versions
    (None when this module's source cannot be read)."""
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    h = hashlib.sha256(repr(key).encode())
    try:
        h.update(Path(__file__).read_bytes())
    except OSError:
        return None   # the code cannot be told apart from another version's: not remembered across processes
    for package in ("scikit-learn", "scipy", "numpy", "pandas"):   # GaussianMixture solves through scipy.linalg
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package}=?".encode())
    return h.hexdigest()


def _content_key(runs: pd.DataFrame, seed: int) -> tuple:
    """What :func:`likely_others` depends on: every value, the index, columns and dtypes, and the seed."""
    values = pd.util.hash_pandas_object(runs, index=True).to_numpy()
    digest = hashlib.sha256(values.tobytes()).hexdigest()
    return seed, digest, tuple(map(str, runs.columns)), tuple(map(str, runs.dtypes))


def likely_others(runs: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Which of the runs look like another person's (see the module docstring).

    The answer for the same runs (every value) and seed is worked out once per process and
    remembered (a copy is returned each time); with :func:`remember_in` also in the cache, for
    later processes.

    Two ways in, each requiring that the two groups take turns through the history:

    * **a second device** used on at least 5 % of the runs whose runs differ from the main
      device's in how their person runs (Mahalanobis distance of the mean signatures at least
      :data:`MIN_DEVICE_SEPARATION`, on at least two of speed, cadence and heart rate);
    * **a second group of runs** without a device to tell them apart: a two-, else
      three-component Gaussian mixture of the signatures clearly better than one (BIC lower by
      :data:`MIN_BIC_GAIN`) whose components far from the largest (:data:`MIN_SEPARATION`: a
      runner's own easy and hard runs lie much closer) together hold 5-50 % of the runs.

    Parameters
    ----------
    runs : DataFrame
        The foot runs of ``History.runs`` (index run_id).
    seed : int
        Seed of the mixture fits.

    Returns
    -------
    DataFrame
        Index of *runs*, columns :data:`OTHER_COLUMNS`: ``other`` (bool: flagged), ``posterior``
        (probability of belonging to the other group [-]; 1/0 for the device way), ``how``
        ('device: <name>' or 'pattern'), and on the flagged rows how the group differs from the
        rest: ``speed_diff_pct`` (median speed against the others' [%]), ``cadence_diff_spm`` and
        ``hr_diff_bpm`` (at the same speed), ``start_hour_h`` (the group's median local start hour).
        All False when nothing stands out.
    """
    key = _content_key(runs, seed)
    found = _REMEMBERED.get(key)
    if found is None:
        store, stored = _STORE, None
        if store is not None:
            stored = _stored_key(key)
            found = store.get_answer("others", stored) if stored is not None else None
            if found is not None and (list(found.columns) != OTHER_COLUMNS or not found.index.equals(runs.index)):
                found = None   # not this question's answer shape: worked out again
        if found is None:
            found = _likely_others(runs, seed)
            if store is not None and stored is not None:
                store.put_answer("others", stored, found)
        _REMEMBERED[key] = found
        while len(_REMEMBERED) > _REMEMBER:
            _REMEMBERED.popitem(last=False)
    return found.copy()


def _likely_others(runs: pd.DataFrame, seed: int) -> pd.DataFrame:
    """:func:`likely_others`, worked out."""
    out = pd.DataFrame({"other": False, "posterior": np.nan, "how": "", "speed_diff_pct": np.nan,
                        "cadence_diff_spm": np.nan, "hr_diff_bpm": np.nan, "start_hour_h": np.nan},
                       index=runs.index)
    if len(runs) < MIN_RUNS:
        return out
    sig = signatures(runs)
    cols = [c for c in sig if sig[c].notna().mean() >= 0.7]
    if len(cols) < 2:
        return out
    order = np.argsort(pd.to_datetime(runs["start_time"]).to_numpy(), kind="stable")
    device = _by_device(runs, sig, cols, order)
    if device is not None:
        flagged = runs.index[device.to_numpy()]
        out["posterior"] = device.to_numpy().astype("float64")
        how = f"device: {device.name}"
    else:
        X = sig[cols].dropna()
        if len(X) < MIN_RUNS:
            return out
        from sklearn.mixture import GaussianMixture

        scale = (X.quantile(0.75) - X.quantile(0.25)).replace(0.0, 1.0)
        Z = ((X - X.median()) / scale).to_numpy()
        with one_thread():   # sklearn is loaded, so its OpenMP is limited too
            one = GaussianMixture(1, covariance_type="full", random_state=seed).fit(Z)
            x_order = np.argsort(pd.to_datetime(runs.loc[X.index, "start_time"]).to_numpy(), kind="stable")
            best = None
            for k in (2, 3):   # three: a runner's own hard sessions can be a group of their own beside the partner
                mix = GaussianMixture(k, covariance_type="full", random_state=seed, n_init=3).fit(Z)
                if one.bic(Z) - mix.bic(Z) < MIN_BIC_GAIN:
                    continue
                label = mix.predict(Z)
                sizes = np.bincount(label, minlength=k)
                main = int(np.argmax(sizes))
                apart = []   # the components far from the main one: a second person (easy and long runs
                for c in range(k):   # of a partner can be two components of their own)
                    if c == main:
                        continue
                    cov = (mix.covariances_[c] * mix.weights_[c] + mix.covariances_[main] * mix.weights_[main]) \
                        / (mix.weights_[c] + mix.weights_[main])
                    diff = mix.means_[c] - mix.means_[main]
                    if float(np.sqrt(diff @ np.linalg.solve(cov, diff))) >= MIN_SEPARATION:
                        apart.append(c)
                member = np.isin(label, apart)
                share = float(member.mean())
                if (apart and SHARE_RANGE[0] <= share <= SHARE_RANGE[1] and member.sum() >= MIN_OTHER_RUNS
                        and _turns(member, x_order) >= MIN_INTERLEAVING):
                    best = (member, mix.predict_proba(Z)[:, apart].sum(axis=1))
                    break
        if best is None:
            return out
        member, post = best
        out.loc[X.index, "posterior"] = post
        flagged = X.index[member & (post >= MIN_POSTERIOR)]
        how = "pattern"
    rest = runs.index.difference(flagged)
    out.loc[flagged, "other"] = True
    out.loc[flagged, "how"] = how
    speed = pd.to_numeric(runs["avg_speed_mps"], errors="coerce")
    out.loc[flagged, "speed_diff_pct"] = 100.0 * (speed[flagged].median() / speed[rest].median() - 1.0)
    out.loc[flagged, "cadence_diff_spm"] = _at_speed(runs, "avg_cadence_spm", flagged, rest)
    out.loc[flagged, "hr_diff_bpm"] = _at_speed(runs, "avg_hr_bpm", flagged, rest)
    if "start_local" in runs:
        start = pd.to_datetime(runs.loc[flagged, "start_local"])
        out.loc[flagged, "start_hour_h"] = float((start.dt.hour + start.dt.minute / 60.0).median())
    return out
