"""The optimal generalisation search: lattice, branch and bound on the class histogram (pipeline.histogram).

Entry point: ``engine.search``."""
