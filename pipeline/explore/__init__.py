"""Trade-off explorer: information loss vs re-identification risk over a grid of k and suppression limits."""

from pipeline.explore.grid import COLUMNS, check_grid, explore
from pipeline.explore.outputs import tradeoff_figure, tradeoff_markdown, write_outputs
from pipeline.explore.research import claim_rates, load_release, mix
from pipeline.explore.uniqueness import uniqueness, uniqueness_figure

__all__ = [
    "COLUMNS", "check_grid", "claim_rates", "explore", "load_release", "mix", "tradeoff_figure",
    "tradeoff_markdown", "uniqueness", "uniqueness_figure", "write_outputs",
]
