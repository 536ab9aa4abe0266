"""The optimal generalisation search (lattice, branch and bound) on the class histogram of
:mod:`pipeline.histogram`.

Entry point: ``engine.search``."""
