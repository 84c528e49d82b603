"""A window's sample ids as runs: [start, length, start, length, ...].

New samples get consecutive ids, so a window of hundreds of samples is a run or two."""

from __future__ import annotations

from collections.abc import Iterable


def to_runs(ids: Iterable[int]) -> list[int]:
    """`ids`, in order, as flat (start, length) pairs of consecutive ids."""
    runs: list[int] = []
    for sample_id in ids:
        if runs and runs[-2] + runs[-1] == sample_id:
            runs[-1] += 1
        else:
            runs += [sample_id, 1]
    return runs


def from_runs(runs: list[int]) -> list[int]:
    """The ids that `to_runs` made `runs` of; ValueError if they are not pairs of ints."""
    if len(runs) % 2 or not all(isinstance(n, int) and n >= 0 for n in runs):
        raise ValueError("sample runs are not (start, length) pairs")
    return [
        start + i
        for start, length in zip(runs[::2], runs[1::2], strict=True)
        for i in range(length)
    ]
