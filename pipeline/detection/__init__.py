"""Japanese PII detection on Presidio: recognizers, the GiNZA NLP engine, scanning, the gate, the scrubber.

Why a package of its own: column roles in a config are only as good as whoever wrote them, so every released
cell is scanned by content (APPI.md §1 rows 1-2). Presidio ships nothing for Japan; this package adds the
recognizers (``recognizers/``), the ``ja_ginza`` NLP engine (``nlp.py``), the analyzer factory
(``engine.py``),
DataFrame scanning over distinct values (``scan.py``), the residual-PII gate (``gate.py``) and the free-text
scrubber (``scrub.py``). Heavy imports (spaCy, GiNZA) happen lazily, only when NER is needed.
"""
