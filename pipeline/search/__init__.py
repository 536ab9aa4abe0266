"""The optimal generalisation search (histogram, lattice, branch and bound).

Entry point: ``engine.search``."""
