"""The Great Expectations validation gate (issue 5): no release unless every business rule holds.

Layout (one unit per file):

- ``expectations/`` — business-rule expectations, each a thin named subclass of a GX 1.x expectation with
  a business name and a description template (columns = published items, no My Number / phone / e-mail /
  postal code, linking codes are surrogates, hierarchy labels only, top/bottom codes, row count, 特異な記述)
  or a small ``BatchExpectation`` over a custom metric (k-anonymity per person, distinct / entropy /
  recursive l-diversity, equal / ordered distance t-closeness). Registered by name in ``EXPECTATIONS``.
- ``metrics/`` — the custom pandas metrics: per-equivalence-class statistics (one ``groupby().ngroup()``
  and a ``bincount``), persons per value, and a regex over the NFKC form of distinct cells.
- ``rules.py`` — the typed per-table parameters, read from ``manifest.json`` (and the candidate in the gate).
- ``suite.py`` — binds a profile ``expectations/<internal|third_party>.json`` to a table: a GX suite.
- ``runner.py`` — drives GX (ephemeral context, pandas source, checkpoint, Data Docs), quietly.
- ``docs/`` — GX's own Data Docs, whole, working offline: the CDN assets ship in ``docs/vendor/`` and are
  copied into the release; the page views point at them (``validation/docs/index.html``).
- ``gate.py`` — ``validate_release(candidate, staging_dir)``; ``verify.py`` — ``verify_release(dir)``.

Decisions:

- Profiles are generic rules (data, versioned) bound to per-release parameters from the manifest; the
  profile is the release's ``audience``. ``third_party`` adds distinct 2-diversity of every sensitive column
  whatever the config's models (要配慮個人情報 leaving the company must not be homogeneous in a class).
- My Number: every run of exactly 12 digits (contiguous, 4-4-4 with separators, or digit by digit) in the
  NFKC text is flagged, check digit valid or not: a release has no legitimate 12-digit number, a mistyped
  number is still personal data, and the check digit would let one random 12-digit string in ten through.
  Linking-code columns (random surrogates) are excluded from the PII patterns and must instead match the
  surrogate format exactly, which no source code or personal value can.
- Results and Data Docs carry counts only (``partial_unexpected_count: 0``, value lists scrubbed): a
  failed check never copies the offending cell into the release folder or an error message.
"""
