"""Time `spoco.metrics.sbd` against the obvious per-label double loop on 448x448 label images with ~20 objects.

Run: `python bench/metrics.py` (about ten seconds). Prints both times, the speed-up and both SBD values.
"""
import time
import numpy as np
from spoco.metrics import sbd


def blobs(rng, shape=(448, 448), n=20):
    "A label image of `n` discs with random centres and radii and non-consecutive uint32 ids; later discs cover earlier ones."
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    lab = np.zeros(shape, np.uint32)
    for i in range(n):
        cy, cx, r = rng.integers(30, shape[0] - 30), rng.integers(30, shape[1] - 30), rng.integers(15, 45)
        lab[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = 1000 + 37 * i
    return lab


def sbd_loop(seg, gt):
    "SBD with the Dice of every pair of masks computed in a Python double loop."
    la, lb = [i for i in np.unique(seg) if i], [j for j in np.unique(gt) if j]
    dice = np.zeros((len(la), len(lb)))
    for a, i in enumerate(la):
        for b, j in enumerate(lb):
            mi, mj = seg == i, gt == j
            dice[a, b] = 2 * (mi & mj).sum() / (mi.sum() + mj.sum())
    return min(dice.max(1).mean(), dice.max(0).mean())


def timed(f, repeat):
    "Best wall time of `repeat` calls, and the last result."
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter(); out = f(); best = min(best, time.perf_counter() - t0)
    return best, out


if __name__ == '__main__':
    rng = np.random.default_rng(0)
    gt = blobs(rng)
    seg = np.roll(gt, (3, -2), axis=(0, 1))                     # a slightly shifted prediction
    seg[rng.random(gt.shape) < 0.01] = 7                        # plus some speckle of a spurious label
    t_loop, v_loop = timed(lambda: sbd_loop(seg, gt), 3)
    t_fast, v_fast = timed(lambda: sbd(seg, gt), 50)
    n_s, n_g = len(np.unique(seg)) - 1, len(np.unique(gt)) - 1
    print(f"448x448, {n_s} predicted / {n_g} true objects")
    print(f"double loop: {t_loop * 1e3:.1f} ms   sbd: {t_fast * 1e3:.2f} ms   speed-up: {t_loop / t_fast:.0f}x")
    print(f"SBD double loop {v_loop:.6f}, sbd {v_fast:.6f}")
    assert abs(v_loop - v_fast) < 1e-12
