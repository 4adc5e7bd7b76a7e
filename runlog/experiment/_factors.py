"""Which factors a runner can assign at random before a run: whole words against two declared lists."""

from __future__ import annotations

import re

#: Words naming what a runner cannot assign before a run (a whole word of the factor's name) -> why.
REFUSED_FACTORS: dict[str, str] = {
    # weather and air
    "weather": "the weather happens to you",
    "temp": "the air temperature happens to you",
    "temperature": "the air temperature happens to you",
    "air": "the air happens to you",
    "humid": "the humidity happens to you",
    "humidity": "the humidity happens to you",
    "heat": "the heat happens to you",
    "wind": "the wind happens to you",
    "rain": "the rain happens to you",
    "snow": "the snow happens to you",
    "ice": "ice on the ground happens to you",
    "sun": "the sun happens to you",
    "uv": "the UV index happens to you",
    "dew": "the dew point happens to you",
    "wbgt": "the heat stress happens to you",
    "feels": "the felt temperature happens to you",
    "pressure": "the air pressure happens to you",
    "cloud": "the clouds happen to you",
    "pollen": "the pollen count happens to you",
    # terrain
    "terrain": "the terrain of a run is measured, not assigned at random",
    "elevation": "the hills of a run are measured, not assigned at random",
    "altitude": "the altitude of a run is measured, not assigned at random",
    "climb": "the hills of a run are measured, not assigned at random",
    "ascent": "the hills of a run are measured, not assigned at random",
    "descent": "the hills of a run are measured, not assigned at random",
    "gradient": "the hills of a run are measured, not assigned at random",
    # what a run turns out to be
    "distance": "distance is what a run turns out to be, and distance already run is history",
    "duration": "duration is what a run turns out to be",
    "elapsed": "time on your feet is what a run turns out to be",
    "moving": "time on your feet is what a run turns out to be",
    "pace": "pace is what a run turns out to be",
    "speed": "speed is what a run turns out to be",
    "heart": "heart rate is a response, not a choice",
    "hr": "heart rate is a response, not a choice",
    "bpm": "heart rate is a response, not a choice",
    "cadence": "cadence is a response, not a choice",
    "stride": "stride length is a response, not a choice",
    "rpe": "effort is felt during the run, not chosen before it",
    "effort": "effort is felt during the run, not chosen before it",
    "body": "body mass is measured, not assigned",
    "mass": "body mass is measured, not assigned",
    "sweat": "sweat loss is a response, not a choice",
    # the outcome
    "numb": "numbness is the outcome",
    "numbness": "numbness is the outcome",
    "onset": "the onset is the outcome",
    "episode": "episodes are the outcome",
    "episodes": "episodes are the outcome",
    "severity": "severity is the outcome",
    # history
    "acwr": "training load already run is history",
    "load": "training load already run is history",
    "trimp": "training load already run is history",
    "monotony": "training load already run is history",
    "date": "the calendar cannot be randomised",
    "season": "the season cannot be randomised",
    "month": "the calendar cannot be randomised",
}

#: Words naming what a runner chooses before a run; a name holding one is accepted even beside a refused
#: word (``warmup_duration_min``: the warm-up is chosen; ``fluid_temp_c``: the drink's temperature is chosen).
ASSIGNABLE_FACTORS: frozenset[str] = frozenset({
    "shoe", "shoes", "pair", "insole", "insoles", "orthotic", "orthotics", "sock", "socks", "lacing", "laces",
    "lace", "lock", "tongue", "fluid", "drink", "water", "electrolyte", "electrolytes", "salt", "sodium", "gel",
    "gels", "carb", "carbs", "carbohydrate", "caffeine", "breakfast", "meal", "snack", "warmup", "warm", "stretch",
    "stretching", "strength", "mobility", "foam", "massage", "tape", "taping", "compression", "sleeve", "sleeves",
    "tights", "brace", "planned", "target", "prescribed", "route", "surface", "treadmill", "tempo", "interval",
    "intervals", "easy", "session", "clothing", "layers", "hat", "cap",
})

_HOW = ("An experiment needs a factor you choose before each run: shoes, lacing, fluid_ml (per run or per hour), "
        "warmup_min, or any column of your run notes.")


def factor_words(factor: str) -> list[str]:
    """The whole words of a factor name: split at anything not a letter or digit and at camelCase humps.

    Parameters
    ----------
    factor : str
        A factor name (``warmup_duration_min``, ``feelsLike``, ``air temp``).

    Returns
    -------
    list of str
        Lower-case words (``['warmup', 'duration', 'min']``).
    """
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(factor))
    return [w for w in re.split(r"[^0-9a-z]+", text.casefold()) if w]


def refusal(factor: str) -> str | None:
    """Why *factor* cannot be the subject of an experiment, or None when a runner can assign it.

    The name is cut into whole words (:func:`factor_words`).  A word from
    :data:`ASSIGNABLE_FACTORS` accepts it; otherwise a word from
    :data:`REFUSED_FACTORS` refuses it; a name with neither is accepted (any
    run-notes column a runner fills before the run).

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
    words = factor_words(factor)
    if any(w in ASSIGNABLE_FACTORS for w in words):
        return None
    for w in words:
        if w in REFUSED_FACTORS:
            return (f"'{factor}' cannot be assigned at random before a run ({REFUSED_FACTORS[w]}); only a factor "
                    f"you control can be tested this way. {_HOW}")
    return None
