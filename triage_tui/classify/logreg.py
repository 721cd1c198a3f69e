"""A small binary logistic regression and Platt calibration, in pure Python.

Rows are lists of feature indices (binary features). Each row is scaled to unit length so a
long item does not get a more extreme score just for having more words. Training is averaged
stochastic gradient descent with L2 on the active features: deterministic (fixed shuffle seed),
a few dozen epochs over under a thousand rows, a fraction of a second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def sigmoid(z: float) -> float:
    """The logistic function, safe for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(
    rows: Sequence[Sequence[int]],
    labels: Sequence[int],
    n_features: int,
    *,
    epochs: int = 30,
    rate: float = 0.4,
    l2: float = 1e-3,
    seed: int = 13,
) -> tuple[list[float], float]:
    """Fit weights and a bias; labels are 1 (ops) or 0 (task). Returns averaged weights."""
    weights = [0.0] * n_features
    sums = [0.0] * n_features  # running sum of count-weighted updates, for averaging
    bias = bias_sum = 0.0
    scales = [1.0 / math.sqrt(len(row)) if row else 0.0 for row in rows]
    order = list(range(len(rows)))
    shuffle = random.Random(seed).shuffle
    count = 1.0
    for epoch in range(epochs):
        shuffle(order)
        step_size = rate / (1.0 + 0.2 * epoch)
        decay = step_size * l2
        for i in order:
            row, scale = rows[i], scales[i]
            z = bias
            for j in row:
                z += weights[j] * scale
            step = step_size * (sigmoid(z) - labels[i])
            grad = step * scale
            for j in row:
                delta = grad + decay * weights[j]
                weights[j] -= delta
                sums[j] -= count * delta
            bias -= step
            bias_sum -= count * step
            count += 1.0
    averaged = [w - s / count for w, s in zip(weights, sums, strict=True)]
    return averaged, bias - bias_sum / count


def score(row: Sequence[int], weights: Sequence[float], bias: float, size: int = 0) -> float:
    """The raw log-odds of ops for one row.

    `size` is how many features the item had, known or not (default: the row's length): an item
    of mostly unfamiliar words gets a milder score than one whose every word is known.
    """
    size = max(size, len(row))
    if not size:
        return bias
    total = 0.0
    for j in row:
        total += weights[j]
    return bias + total / math.sqrt(size)


def fit_platt(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """Platt scaling: (a, b) so that sigmoid(a * score + b) is a calibrated P(ops).

    Uses Platt's smoothed targets so a perfectly separated training set does not push the
    slope to infinity; Newton's method on the two parameters.
    """
    positives = sum(labels)
    negatives = len(labels) - positives
    hi = (positives + 1.0) / (positives + 2.0)
    lo = 1.0 / (negatives + 2.0)
    targets = [hi if y else lo for y in labels]
    a, b = 1.0, 0.0
    for _ in range(50):
        g_a = g_b = h_aa = h_ab = h_bb = 0.0
        for s, t in zip(scores, targets, strict=True):
            p = sigmoid(a * s + b)
            d = p - t
            w = max(p * (1.0 - p), 1e-12)
            g_a += d * s
            g_b += d
            h_aa += w * s * s
            h_ab += w * s
            h_bb += w
        h_aa += 1e-9
        h_bb += 1e-9
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 0:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return a, b


def folds(n: int, k: int, contiguous: bool) -> list[list[int]]:
    """k disjoint test folds of range(n): interleaved (i % k) or contiguous blocks.

    The corpus file is grouped by domain, so contiguous folds hold out whole domains and
    phrasing styles: a harder, more honest test than interleaved folds.
    """
    if contiguous:
        bounds = [round(i * n / k) for i in range(k + 1)]
        return [list(range(bounds[i], bounds[i + 1])) for i in range(k)]
    return [list(range(i, n, k)) for i in range(k)]
