"""Which factors a runner can assign at random before a run."""

from __future__ import annotations

#: Factors a runner cannot assign before a run, by a word in their name -> why.
REFUSED_FACTORS: dict[str, str] = {
    "weather": "the weather happens to you",
    "temp": "the air temperature happens to you",
    "humid": "the humidity happens to you",
    "heat": "the heat happens to you",
    "wind": "the wind happens to you",
    "rain": "the rain happens to you",
    "dew": "the dew point happens to you",
    "wbgt": "the heat stress happens to you",
    "distance": "distance is what a run turns out to be, and distance already run is history",
    "duration": "duration is what a run turns out to be",
    "elapsed": "time on your feet is what a run turns out to be",
    "pace": "pace is what a run turns out to be",
    "speed": "speed is what a run turns out to be",
    "heart": "heart rate is a response, not a choice",
    "hr": "heart rate is a response, not a choice",
    "cadence": "cadence is a response, not a choice",
    "elevation": "the hills of a run are measured, not assigned at random",
    "climb": "the hills of a run are measured, not assigned at random",
    "rpe": "effort is felt during the run, not chosen before it",
    "body_mass": "body mass is measured, not assigned",
    "sweat": "sweat loss is a response, not a choice",
    "numb": "numbness is the outcome",
    "onset": "the onset is the outcome",
    "episode": "episodes are the outcome",
    "severity": "severity is the outcome",
    "acwr": "training load already run is history",
    "load": "training load already run is history",
    "trimp": "training load already run is history",
    "date": "the calendar cannot be randomised",
    "season": "the season cannot be randomised",
}
_HOW = ("An experiment needs a factor you choose before each run: shoes, lacing, fluid_ml (per run or per hour), "
        "warmup_min, or any column of your run notes.")


def refusal(factor: str) -> str | None:
    """Why *factor* cannot be the subject of an experiment, or None when a runner can assign it.

    Parameters
    ----------
    factor : str
        A factor name (a run-notes column, e.g. ``shoes``, ``lacing``, ``fluid_ml``).

    Returns
    -------
    str or None
        The reason, as a sentence ending in what to do instead; None when the
        factor can be assigned.
    """
    name = str(factor).strip().lower().replace(" ", "_").replace("-", "_")
    words = set(name.split("_"))
    for word, why in REFUSED_FACTORS.items():
        if (word in words) if len(word) <= 3 else (word in name):
            return (f"'{factor}' cannot be assigned at random before a run ({why}); only a factor you control "
                    f"can be tested this way. {_HOW}")
    return None
