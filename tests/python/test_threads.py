"""Threads scoring the same set at once get the same results: the set is shared, read-only,
and the GIL is released while scoring."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd

import parindex

from conftest import COMMUNE


def test_threads_score_the_same_set_concurrently() -> None:
    criteria = parindex.load(COMMUNE)
    sample = parindex.sample(COMMUNE)
    big = pd.concat(
        [sample.assign(unit=sample["unit"] + f"-{n}") for n in range(40)], ignore_index=True
    )
    expected = criteria.score(big).summary()

    def by_unit(summary: pd.DataFrame) -> dict[str, tuple[object, ...]]:
        return {row[0]: tuple(row[1:]) for row in summary.itertuples(index=False)}

    def work(n: int) -> dict[str, tuple[object, ...]]:
        frame = big.iloc[::-1] if n % 2 else big
        return by_unit(criteria.score(frame).summary())

    with ThreadPoolExecutor(max_workers=8) as pool:
        summaries = list(pool.map(work, range(16)))
    for summary in summaries:
        assert summary == by_unit(expected)


def test_threads_load_and_explain_concurrently() -> None:
    # Each unit's explanation, worked out on one thread, is what every thread must give.
    results = parindex.load(COMMUNE).score(parindex.sample(COMMUNE))
    expected = {unit: results.explain_text(unit) for unit in results.units}
    assert len(set(expected.values())) == len(expected), "units explain differently"

    def work(n: int) -> tuple[str, str]:
        criteria = parindex.load(COMMUNE)
        mine = criteria.score(parindex.sample(COMMUNE))
        unit = mine.units[n % len(mine)]
        return unit, mine.explain_text(unit)

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(work, range(12)))
    assert len(texts) == 12
    for unit, text in texts:
        assert text == expected[unit], unit


def test_threads_scoring_one_set_object_get_identical_documents() -> None:
    criteria = parindex.load(COMMUNE)
    sample = parindex.sample(COMMUNE)
    frame = pd.concat(
        [sample.assign(unit=sample["unit"] + f"-{n}") for n in range(20)], ignore_index=True
    )
    expected = criteria.score(frame).to_json()

    def work(_: int) -> str:
        return criteria.score(frame).to_json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        documents = list(pool.map(work, range(16)))
    assert all(document == expected for document in documents)
