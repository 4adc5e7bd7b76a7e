"""The report's content in words: the answer line, one paragraph per finding cause, the factor table.

Every sentence a runner reads is composed here, once, from the numbers of
:mod:`runlog.analysis.causes`; the renderers (text, Markdown, HTML, command
line) only lay it out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..analysis.causes import feature_label
from ..units import number_text, p_text, per_text, quantity_text

__all__ = ["FACTOR_TABLE_COLUMNS", "answer_line", "cause_paragraph", "with_sentences", "factor_table",
           "HEAT_TESTABLE_HINT", "with_heat_hint", "weather_lines",
           "physiology_caveat"]


#: The runner's values a physiology caveat names, with their plain names.
_PHYSIOLOGY_NAMES = {"hr_max_bpm": "maximum heart rate", "hr_rest_bpm": "resting heart rate", "sex": "sex",
                     "body_mass_kg": "body mass"}


def physiology_caveat(provenance: pd.DataFrame) -> str:
    """The caveat saying which of the runner's values (maximum and resting heart rate, sex, body
    mass) were given and which were assumed, and how.

    Parameters
    ----------
    provenance : DataFrame
        :meth:`runlog.Athlete.provenance` (``value``, ``unit``, ``status``, ``how``).

    Returns
    -------
    str
        One sentence per kind: the values given (and where), then each assumed one with its
        method, then how to give one's own.
    """
    def value(name) -> str:
        v, unit = provenance.loc[name, "value"], provenance.loc[name, "unit"]
        if name == "sex":
            return str(v)
        return f"{number_text(float(v), 3)} {unit}".strip()

    rows = [n for n in _PHYSIOLOGY_NAMES if n in provenance.index]
    given = [n for n in rows if provenance.loc[n, "status"] == "given"]
    assumed = [n for n in rows if n not in given]
    parts = []
    if given:
        where = sorted({str(provenance.loc[n, "how"]) for n in given})
        parts.append("Your values: " + ", ".join(f"{_PHYSIOLOGY_NAMES[n]} {value(n)}" for n in given)
                     + f" (given: {'; '.join(where)}).")
    for n in assumed:
        status, how = provenance.loc[n, "status"], str(provenance.loc[n, "how"])
        if status == "unknown" and n == "sex":
            parts.append(f"Sex not given: {how}.")
        elif status == "unknown":
            parts.append(f"{_PHYSIOLOGY_NAMES[n].capitalize()} unknown: {how}.")
        else:
            parts.append(f"{_PHYSIOLOGY_NAMES[n].capitalize()} {value(n)} "
                         f"{'estimated from your runs' if status == 'estimated' else 'assumed'}: {how}.")
    if assumed:
        parts.append("Heart-rate zones and training load depend on them; give your own with runlog report "
                     "--hr-max, --hr-rest and --sex, or once in the settings file ([athlete] table).")
    return " ".join(parts)

FACTOR_TABLE_COLUMNS = [
    "factor", "level", "label", "cause", "role", "kind", "unit", "n_runs", "n_episodes",
    "effect", "ci_low", "ci_high", "p_value", "q_value", "effect_unit",
    "adjusted_effect", "adjusted_ci_low", "adjusted_ci_high", "adjusted_p", "explained_by",
    "description", "exposed_runs", "exposed_numb", "other_runs", "other_numb", "finding",
]


def _join(words: list[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _short(cause: str) -> str:
    return schema.CAUSE_SHORT.get(cause, str(cause).capitalize())


def _upper_first(text: str) -> str:
    """First letter upper case, the rest as written (keeps 'TRIMP', 'WBGT')."""
    return text[:1].upper() + text[1:]


def _subject(row) -> tuple[str, bool]:
    """What goes with the numbness, in the direction the data show, and whether it is plural.

    'Heat' (odds ratio > 1 on air temperature), 'Lower air temperature' (< 1),
    "The shoes 'Trail Glide 2'" (a pair with more numbness), "Shoes other than
    'Racer'" (a pair with less), 'Training load'.
    """
    cause, eff = row["cause"], float(row["effect"])
    level = row.get("level")
    if isinstance(level, str) and level:
        return (f"The shoes '{level}'", True) if eff >= 1 else (f"Shoes other than '{level}'", True)
    if eff >= 1:
        return _short(cause), cause == "footwear"
    return f"Lower {row['factor_label']}", False


def answer_line(report) -> str:
    """The first line of every rendering: which causes go with the numbness, strongest first.

    'Heat goes with your numbness: 1 run in 4 above 15 °C had numbness, 1 run
    in 20 at or below.' / 'Heat and training load go with your numbness: ...'
    / 'No cause stands out yet among the 8 tested (23 runs with numbness):
    about 30 more would be needed to show one as strong as the strongest
    estimate (heat and hydration).'  A cause whose measure goes the other way
    than the articles say is named in its own direction ('Lower air
    temperature goes with your numbness').

    Parameters
    ----------
    report : Report
        The analysis result (``testable``, ``findings``, ``causes``,
        ``n_numb_runs``, ``n_runs``, ``more_needed``).

    Returns
    -------
    str
        The line.
    """
    if not report.testable:
        return report.untestable_reason()
    f = report.findings
    if f is not None and len(f):
        subjects = [_subject(r) for _, r in f.iterrows()]
        names = [subjects[0][0]] + [n[:1].lower() + n[1:] if not n.startswith("The ") else n
                                    for n, _ in subjects[1:]]
        verb = "go" if len(names) > 1 or subjects[0][1] else "goes"
        return f"{_join(names)} {verb} with your numbness: {f.iloc[0]['risk_text']}."
    causes = report.causes
    tested = causes[causes["p_value"].notna()] if causes is not None and len(causes) else causes
    n = 0 if tested is None else len(tested)
    s = (f"No cause stands out yet among the {n} tested ({report.n_numb_runs} runs with numbness "
         f"out of {report.n_runs}).")
    more = getattr(report, "more_needed", None)
    if more and n:
        top = tested.sort_values("p_value").iloc[0]
        if more >= 200:
            s += (f" None comes close: even the strongest estimate ({top['cause_label']}) is the size chance "
                  "gives.")
        else:
            s += (f" About {more} more runs with numbness would be needed to show an effect as strong as "
                  f"the strongest estimate ({top['cause_label']}), if it is real.")
    return s


def _effect_phrase(row) -> str:
    """'x 2.7 per 5 °C of air temperature' / "x 3.1 in 'Racer' against the other shoes" /
    'x 1.8 per doubling of the run duration, beyond the doubled time on the feet', from the row's
    ``effect_kind``, ``effect_per``, ``effect_per_unit`` and ``effect_usual`` (a row without them:
    its ``effect_unit`` as written)."""
    eff = number_text(row["effect"], 2)
    level = row.get("level")
    kind = row.get("effect_kind")
    label = row["factor_label"]
    if (isinstance(level, str) and level) or kind == "level":
        return f"x {eff} in '{level}' against the other {label}"
    if kind == "per_doubling":
        return f"x {eff} per doubling of the {label}, beyond the doubled time on the feet"
    if kind == "with_without":
        return f"x {eff} with {label} against without"
    if kind in ("per_step", "exposure"):
        step = per_text(row["effect_per"], row["effect_per_unit"])
        if kind == "per_step":
            return f"x {eff} {step} of {label}"
        return (f"x {eff} {step} of {label} above your usual "
                f"{quantity_text(row['effect_usual'], row['effect_per_unit'])}, per hour on your feet")
    return f"x {eff} {row.get('effect_unit') or ''} of {label}".replace("  ", " ")


def cause_paragraph(row: pd.Series, causes: pd.DataFrame, factors: pd.DataFrame, *, first: bool = False) -> str:
    """One short paragraph for a finding cause: risks, the effect with its interval, what else it explains.

    The *first* finding's risks are already in the answer line, so its paragraph
    starts with the effect.  It names exactly what the model holds beside the
    cause: the other finding causes, the season and the time on the feet.

    Parameters
    ----------
    row : Series
        The finding's row of ``Report.findings`` (``cause``, ``cause_label``,
        ``factor_label``, ``risk_text``, effect, interval, p and q values,
        ``best_measure``).
    causes : DataFrame
        ``Report.causes`` (``cause``, ``p_value``, ``finding``).
    factors : DataFrame
        ``Report.factors`` (``explained_by``, ``cause``, ``label``).
    first : bool
        True for the first finding: its risks are left out.

    Returns
    -------
    str
        The paragraph.
    """
    tested = causes.loc[causes["p_value"].notna(), "cause"].tolist()
    with_ = [schema.CAUSE_LABELS.get(c, c) for c in causes.loc[causes["finding"].astype(bool), "cause"]
             if c != row["cause"]]
    subject, plural = _subject(row)
    head = "" if first else f"{subject} {'go' if plural else 'goes'} with your numbness: {row['risk_text']}. "
    s = (head + f"Odds of numbness {_effect_phrase(row)} "
         f"(95 % CI {number_text(row['ci_low'], 2)}-{number_text(row['ci_high'], 2)}, "
         f"{p_text(row['p_value'], 'p')}; {p_text(row['q_value'], 'q')} allowing for the {len(tested)} causes "
         "tested), with "
         + (_join(with_) + ", " if with_ else "")
         + "the season and the time on your feet in the model.")
    best = row.get("best_measure")
    if isinstance(best, str) and best and best != row["factor_label"]:
        s += f" Of the measures of {row['cause_label']}, {best} fits best."
    if factors is not None and len(factors) and "explained_by" in factors:
        key = _short(row["cause"]).lower()
        ex = factors[factors["explained_by"].astype(str).str.contains(key, regex=False)
                     & (factors["cause"] != row["cause"])]
        if len(ex):
            names = list(dict.fromkeys(ex["label"].astype(str)))[:5]
            verb = "goes" if len(names) == 1 else "go"
            s += f" {_upper_first(_join(names))} {verb} with numbness only through {key}."
    return s


def with_sentences(findings: pd.DataFrame, causes: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """*findings* with the ``sentence`` column filled (:func:`cause_paragraph`).

    Parameters
    ----------
    findings : DataFrame
        ``Report.findings`` rows, strongest first.
    causes : DataFrame
        ``Report.causes``.
    factors : DataFrame
        ``Report.factors``.

    Returns
    -------
    DataFrame
        A copy of *findings* with a fresh 0..n-1 index.
    """
    out = findings.copy()
    if len(out):
        out["sentence"] = [cause_paragraph(r, causes, factors, first=i == 0)
                           for i, (_, r) in enumerate(out.iterrows())]
    return out.reset_index(drop=True)


def _row_key(factor, level) -> tuple:
    """A measure row's key: (measure, level), the level None unless it is a text (NaN, NA, None alike)."""
    return factor, level if isinstance(level, str) else None


def factor_table(measures: pd.DataFrame, causes: pd.DataFrame, screened: pd.DataFrame, catalog: dict, *,
                 fdr_method: str = "bh") -> pd.DataFrame:
    """``Report.factors``: every measure tested, strongest first, with its cause and role.

    Parameters
    ----------
    measures : DataFrame
        :meth:`runlog.analysis.causes.CauseAnalysis.measures` output.
    causes : DataFrame
        ``Report.causes`` (which measure is each cause's primary).
    screened : DataFrame
        The univariate screen (counts of runs and numb runs per side).
    catalog : dict
        name -> Feature.
    fdr_method : {'bh', 'by'}
        q-values over the measures.

    Returns
    -------
    DataFrame
        Columns :data:`FACTOR_TABLE_COLUMNS`; ``role`` is 'primary' (the
        measure a cause is judged on), 'explained' (goes with numbness alone but
        not once the finding causes are in the model: ``explained_by``),
        'in-run' (measured during the run, before onset) or 'secondary';
        ``finding`` marks the measure of each finding cause (listed first).
        A cause's primary measure (for shoes: the pair its test chose)
        carries the cause test's ``effect``, interval, ``p_value`` and
        ``q_value`` (``Report.causes``: the numbers the answer rests on, Holm
        over causes), so a measure reads the same in every table; the other
        rows carry their own Wald test (with the season and the time on the
        feet) and ``q_value`` adjusts those over the other rows (*fdr_method*).
    """
    from ..analysis.stats import fdr_adjust

    if measures is None or not len(measures):
        return pd.DataFrame(columns=FACTOR_TABLE_COLUMNS)
    m = measures.copy()
    tested = causes[causes["p_value"].notna()] if len(causes) else causes
    prim = set(tested["factor"].dropna().astype(str)) if len(tested) else set()
    m["cause"] = [getattr(catalog.get(n), "cause", "other") for n in m["factor"]]
    m["label"] = [feature_label(n, catalog) for n in m["factor"]]
    m["unit"] = [getattr(catalog.get(n), "unit", "") for n in m["factor"]]
    m["description"] = [getattr(catalog.get(n), "description", "") for n in m["factor"]]
    in_run = np.array([bool(getattr(catalog.get(n), "in_run", False)) for n in m["factor"]])
    expl = m["explained_by"].astype(str) != "" if "explained_by" in m else np.zeros(len(m), bool)
    role = np.where(m["factor"].isin(prim), "primary",
                    np.where(expl, "explained", np.where(in_run, "in-run", "secondary")))
    m["role"] = role
    # rows are matched to causes and counts by (measure, level or None)
    mkeys = [_row_key(f, lv) for f, lv in zip(m["factor"], m["level"])]
    # a cause's own measure: the cause test's numbers (one story per measure), else its own test
    own = {_row_key(r.factor, r.level): r for r in tested.itertuples(index=False)}
    rows = [own.get(k) for k in mkeys]
    is_own = np.array([r is not None for r in rows])
    m["q_value"] = np.nan
    m.loc[~is_own, "q_value"] = fdr_adjust(m.loc[~is_own, "p_value"].to_numpy(dtype="float64"), fdr_method)
    for c in ("effect", "ci_low", "ci_high", "p_value", "q_value"):
        vals = m[c].to_numpy(dtype="float64", copy=True)
        vals[is_own] = [float(getattr(r, c)) for r in rows if r is not None]
        m[c] = vals
    if screened is not None and len(screened):
        cols = ["n_runs", "n_episodes", "exposed_runs", "exposed_numb", "other_runs", "other_numb"]
        look = {_row_key(r.factor, r.level): r for r in screened.itertuples(index=False)}
        for c in cols:
            m[c] = [getattr(look.get(k), c, pd.NA) for k in mkeys]
            m[c] = m[c].astype("Int64")
    fc = causes[causes["finding"].astype(bool)] if len(causes) else causes
    found = {_row_key(r.factor, r.level) for r in fc.itertuples(index=False)}
    m["finding"] = [k in found for k in mkeys]
    m = m.sort_values(["finding", "p_value"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return m.reindex(columns=FACTOR_TABLE_COLUMNS)


#: What the runner can do when heat cannot be tested for want of the air temperature.
HEAT_TESTABLE_HINT = ("To test heat, give runlog the air temperature: --weather auto downloads it for your runs "
                      "(their GPS places rounded to about 10 km, and dates), or --weather FILE.csv reads your own "
                      "hourly table (in Python: weather='auto' or a table).")


def with_heat_hint(causes: pd.DataFrame, weather: dict | None = None) -> pd.DataFrame:
    """*causes* with the heat row's 'not testable' status telling how to make heat testable.

    Parameters
    ----------
    causes : DataFrame
        ``Report.causes`` (``cause``, ``status``).
    weather : dict, optional
        :meth:`runlog.features.weather.WeatherInfo.coverage` of the weather used: when
        weather was given but covers too few runs, the hint says that instead.

    Returns
    -------
    DataFrame
        A copy; only an untestable ``hydration`` row changes.
    """
    if not len(causes) or "status" not in causes:
        return causes
    sel = (causes["cause"] == "hydration") & causes["status"].astype(str).str.startswith("not testable")
    if not sel.any():
        return causes
    if weather and weather.get("n_runs"):
        without = "; ".join(f"{why} ({n})" for why, n in weather.get("unknown", {}).items())
        hint = (f"The weather covered {weather['n_known']} of {weather['n_runs']} runs"
                + (f" (without: {without})" if without else "")
                + "; add an hourly table for the others with --weather FILE.csv (weather=table in Python).")
    else:
        hint = HEAT_TESTABLE_HINT
    out = causes.copy()
    out.loc[sel, "status"] = out.loc[sel, "status"].astype(str).str.rstrip(".") + ". " + hint
    return out


def weather_lines(weather: dict | None) -> list[str]:
    """Where the air temperature came from, which runs lack it and why, what was sent, and the data credit.

    Parameters
    ----------
    weather : dict or None
        :meth:`runlog.features.weather.WeatherInfo.coverage` of the analysed runs
        (``Report.settings['weather']``); None: no weather was given.

    Returns
    -------
    list of str
        Sentences for every rendering of the report (empty without weather).
    """
    if not weather:
        return []
    n, known = weather["n_runs"], weather["n_known"]
    unknown = weather.get("unknown") or {}
    runs = weather.get("unknown_runs") or {}

    def which(reason: str, n: int) -> str:   # the run ids (as runlog import --list shows them), at most 5
        ids = runs.get(reason, [])
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        return f"{reason} ({n}: {shown})" if shown else f"{reason} ({n})"

    why = "; ".join(which(r, c) for r, c in unknown.items())
    if weather.get("source") == "open-meteo":
        out = [f"Air temperature and humidity: Open-Meteo's historical weather (ERA5 reanalysis, the hour nearest "
               f"each run's middle), downloaded because you asked for it, for {known} of {n} runs."]
    else:
        out = [f"Air temperature and humidity: your weather table, for {known} of {n} runs."]
    if unknown:
        out.append(f"Weather unknown for {n - known} run{'s' if n - known != 1 else ''}: {why}.")
    if weather.get("source") == "open-meteo":
        sent = weather.get("n_places_sent", 0)
        if weather.get("n_requests"):
            out.append(f"Sent to the weather service this time: {sent} place{'s' if sent != 1 else ''} (GPS "
                       "positions rounded to 0.1°, about 10 km) and the runs' dates, in "
                       f"{weather['n_requests']} request{'s' if weather['n_requests'] != 1 else ''}; nothing "
                       "else about you or your runs.")
        else:
            out.append("Nothing was sent this time: the weather came from runlog's cache.")
        out.append(weather.get("attribution", ""))
    return [s for s in out if s]
