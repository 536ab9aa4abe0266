"""Bounded-memory processing of large extracts (issue 17): batch-wise reading and normalising
(:mod:`~pipeline.stream.read`, used by :mod:`pipeline.prepare`), the first pass that keeps only the histogram
the search needs (:mod:`~pipeline.stream.first_pass`), and both on Dask distributed
(:mod:`~pipeline.stream.dask_pass`, :mod:`~pipeline.stream.executor`).

Nothing is imported here: :mod:`pipeline.prepare` imports ``read`` and ``first_pass`` imports ``prepare``.
"""
