"""Hypothesis strategies shared by the property tests (parser round trips, no-5xx, ...).

The operator shapes are one definition here; each test module chooses the values it
feeds them (arbitrary text for the parser, the fixture's plausible values end to end).
"""

from __future__ import annotations

from hypothesis import strategies as st

from dbrest.parse.ast import OpExpr, OpFts, OpIn, OpIs, OpIsDistinct, OpQuant, OpSimple
from dbrest.parse.grammar import FTS_OPS, IS_VALUES, QUANT_OPS, SIMPLE_OPS

AGGREGATES = ["sum", "avg", "count", "max", "min"]


def operations(values: st.SearchStrategy[str], fts_configs: st.SearchStrategy[str],
               max_in: int = 3) -> st.SearchStrategy[OpExpr]:
    """Every operator form of a filter, negated or not, over these operand values."""
    op = st.one_of(
        st.builds(OpQuant, st.sampled_from(QUANT_OPS), values,
                  st.none() | st.sampled_from(["any", "all"])),
        st.builds(OpSimple, st.sampled_from(SIMPLE_OPS), values),
        st.builds(OpIn, st.lists(values, max_size=max_in).map(tuple)),
        st.builds(OpIs, st.sampled_from(IS_VALUES)),
        st.builds(OpIsDistinct, values),
        st.builds(OpFts, st.sampled_from(FTS_OPS), values, st.none() | fts_configs),
    )
    return st.builds(OpExpr, st.booleans(), op)
