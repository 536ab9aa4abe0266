"""Publication (公表), provision to third parties (提供) and the release register, APPI.md §4.

Everything here is derived from the release itself (its actual columns, the chosen hierarchy levels, the
config's ``release`` block), never typed by hand, so the published list cannot drift from the data.

The third-party flow, in the order the law asks for it (法43条3項・4項):

1. ``anonymize run CONFIG --out DIR`` creates the release. Its ``published_items.*`` (items and their
   granularity, third-party provision yes/no, method of provision, continuous creation, contact),
   ``data_dictionary.*`` and, for ``audience: third_party``, ``provision_notice.ja.md`` are written into
   the release by :func:`pipeline.publication.items.write_published_items`; the run appends ``pending``,
   renames the release into place and appends ``created`` (:mod:`pipeline.release.commit`).
2. ``anonymize publish --site SITE`` renders every release in the register into one static site (index
   newest first, one page per dataset; no JavaScript) and appends a ``published`` event per release, with
   the method of provision for third-party releases (:mod:`pipeline.publication.publish`).
3. ``anonymize provide RELEASE --out BUNDLE`` builds the provision bundle (data, manifest, validation
   results, the 明示 notice, the data dictionary, SHA256SUMS) only if the register shows a ``published``
   event for exactly these items and this method of provision; otherwise :class:`RegisterError` and no
   bundle. It appends a ``provided`` event (:mod:`pipeline.publication.provide`).

The register lives at ``out/register.jsonl`` relative to the working directory unless ``--register`` says
otherwise (:data:`pipeline.release.register.DEFAULT_REGISTER`); its code lives in ``release/``, below this
package, because the commit protocol appends to it too. Nothing restorable (surrogate mapping,
key, seed) is ever written by this package: it only sees the release candidate and the release directory.
"""
