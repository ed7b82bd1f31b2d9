"""Time `spoco.cluster` against scikit-learn on 448x448 16-D embeddings with 20 objects, inside a foreground mask.

Run: `python bench/cluster.py` (one to five minutes on 2 shared CPU cores; scikit-learn takes nearly all of it).
(a) `mean_shift` vs `sklearn.cluster.MeanShift(bandwidth=0.5, bin_seeding=True)`: time and SBD against the truth.
(b) `consistency_cluster` vs the straightforward version: scikit-learn mean-shift (the run timed in (a), same
    inputs) plus a Python loop over anchors computing each ball's IoU in NumPy over all pixels.
On a machine with CUDA it also times `mean_shift` on the GPU at 448x448 and 1024x2048.
"""
import time
import numpy as np
import torch
from sklearn.cluster import MeanShift
from spoco.cluster import consistency_cluster
from spoco.mean_shift import toy_embeddings, mean_shift
from spoco.metrics import sbd, n_objects

BANDWIDTH, IOU_THRESHOLD, N_ANCHORS = 0.5, 0.6, 100


def timed(f, repeat=1):
    "Best wall time of `repeat` calls, and the last result."
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter(); out = f(); best = min(best, time.perf_counter() - t0)
    return best, out


def g_embeddings(truth, scattered, seed=1, spread=0.08, scale=0.6):
    "Second embeddings of the same objects (new means, fresh noise); the objects in `scattered` get noise of 0.5 instead."
    rng = np.random.default_rng(seed)
    g = rng.normal(0, scale, (truth.max() + 1, 16))[truth] + rng.normal(0, spread, (*truth.shape, 16))
    bad = np.isin(truth, scattered)
    g[bad] = rng.normal(0, 0.5, (bad.sum(), 16))
    return torch.from_numpy(np.moveaxis(g, -1, 0).astype(np.float32))


def consistency_loop(X, Y, labels, rng):
    "Straightforward consistency check: one NumPy pass over all pixels per anchor."
    out = labels.copy()
    for c in np.unique(labels):
        pixels = np.flatnonzero(labels == c)
        anchors = rng.choice(pixels, min(N_ANCHORS, len(pixels)), replace=False)
        ious = []
        for a in anchors:
            ball = np.linalg.norm(Y - Y[a], axis=1) <= BANDWIDTH
            inter = (ball & (labels == c)).sum()
            ious.append(inter / (ball.sum() + len(pixels) - inter))
        if np.median(ious) < IOU_THRESHOLD: out[labels == c] = 0
    return out


def to_image(labels, mask):
    out = np.zeros(mask.shape, np.int64); out[mask] = labels
    return out


if __name__ == '__main__':
    torch.set_num_threads(2)
    emb, truth = toy_embeddings((448, 448), n_objects=20, spread=0.08, seed=0)
    mask = truth > 0
    X = emb.flatten(1)[:, torch.from_numpy(mask.ravel())].T.contiguous()
    print(f"448x448, 16-D, {n_objects(truth)} objects, {mask.sum()} foreground pixels, bandwidth {BANDWIDTH}")

    t_ours, seg = timed(lambda: mean_shift(emb, BANDWIDTH, mask=mask), 3)
    t_sk, sk = timed(lambda: MeanShift(bandwidth=BANDWIDTH, bin_seeding=True).fit_predict(X.numpy()) + 1)
    sk = to_image(sk, mask)
    print(f"(a) mean_shift {t_ours:.3f} s, {n_objects(seg)} objects, SBD {sbd(seg, truth):.4f} | "
          f"sklearn MeanShift(bin_seeding) {t_sk:.1f} s, {n_objects(sk)} objects, SBD {sbd(sk, truth):.4f} | "
          f"speed-up {t_sk / t_ours:.0f}x")

    scattered = [3, 11]
    g = g_embeddings(truth, scattered)
    Y = g.flatten(1)[:, torch.from_numpy(mask.ravel())].T.contiguous().numpy()
    kept = np.where(np.isin(truth, scattered), 0, truth)
    t_cons, cons = timed(lambda: consistency_cluster(emb, g, BANDWIDTH, IOU_THRESHOLD, N_ANCHORS, mask=mask), 3)
    t_loop, ref = timed(lambda: consistency_loop(X.numpy(), Y, sk[mask], np.random.default_rng(0)))
    ref = to_image(ref, mask)
    print(f"(b) consistency_cluster {t_cons:.3f} s, {n_objects(cons)} objects, SBD {sbd(cons, kept):.4f} | "
          f"sklearn + anchor loop {t_sk:.1f} + {t_loop:.1f} s, {n_objects(ref)} objects, SBD {sbd(ref, kept):.4f} | "
          f"speed-up {(t_sk + t_loop) / t_cons:.0f}x")

    if torch.cuda.is_available():
        for shape in [(448, 448), (1024, 2048)]:
            e, t = toy_embeddings(shape, n_objects=20, spread=0.08, seed=0)
            e, m = e.cuda(), t > 0
            mean_shift(e, BANDWIDTH, mask=m)
            torch.cuda.synchronize()
            t_gpu, s = timed(lambda: (mean_shift(e, BANDWIDTH, mask=m), torch.cuda.synchronize())[0], 3)
            print(f"GPU {torch.cuda.get_device_name()} {shape}: mean_shift {t_gpu:.3f} s, SBD {sbd(s, t):.4f}")
