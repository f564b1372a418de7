"""A bounded fuzz test (hypothesis): real grids, scenarios and records, mutated as in
`make fuzz` (benchmarks/fuzz.py), through the real loaders. Every file either loads or
gives problems (FileProblems) with no raw control characters and at most 100 lines
(+ "... and N more"); a record that still loads is the same session as before.

Before this change tomllib and the record hash let TypeError, ValueError and
RecursionError escape for files like these. `make fuzz` runs 10,000.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz import MUTATIONS, Seed, load_one, seeds
from sdm_tui.core.catalog import load_catalog
from sdm_tui.core.tomlfile import MAX_PROBLEMS_PER_FILE

SEEDS: list[Seed] = seeds()
GRIDS = load_catalog().grids


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.sampled_from(SEEDS),
    names=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
    rng=st.randoms(use_true_random=False),
)
def test_mutated_files_load_or_give_problems(
    folder: Path, seed: Seed, names: list[str], rng: random.Random
) -> None:
    data = seed.data
    for name in names:
        data = MUTATIONS[name](data, rng)
    path = folder / "case.toml"
    path.write_bytes(data)
    outcome = load_one(seed.kind, path, seed.session, GRIDS)
    assert outcome.kind in ("loaded", "problems"), (seed.name, names, outcome)
    assert outcome.problem_lines <= MAX_PROBLEMS_PER_FILE + 1


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_on_each_kind(folder: Path, name: str) -> None:
    """Each mutation once on every seed file (every kind); `make fuzz` repeats them."""
    rng = random.Random(name)
    for seed in SEEDS:
        path = folder / f"{name}.toml"
        path.write_bytes(MUTATIONS[name](seed.data, rng))
        outcome = load_one(seed.kind, path, seed.session, GRIDS)
        assert outcome.kind in ("loaded", "problems"), (seed.name, name, outcome)
