"""What a runner reads: the report's sentences, its layouts (HTML) and the plots.

* :mod:`~runlog.render.wording` -- every sentence of the report, composed from the analysis' frames
* :mod:`~runlog.render.html` -- the self-contained HTML report
* :mod:`~runlog.render.plot` -- matplotlib plots (public as ``runlog.plot``)

Nothing is imported here: the plots need matplotlib, which ``import runlog`` does not pay for.
"""
