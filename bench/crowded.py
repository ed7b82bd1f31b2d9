"""Why crowded rosettes are not learnt: short training runs ("arms") on crowded synthetic rosettes, each scored on
the test images by mean-shift SBD, |DiC|, an oracle clustering (every foreground pixel to the nearest true leaf
mean), each leaf's spread around its mean (vs delta_var) and the distance between touching leaves' means
(vs 2 delta_dist), also along training on the validation images.

    python bench/crowded.py ARM [ARM ...] [--seed S] [--steps N] [--size 128] [--leaves 10 25] [--out DIR]
    python bench/crowded.py --list

An arm is a label fraction (full = every leaf labelled and trained without SPOCO, s10 / s100 = SPOCO with 10% /
100% of the leaves) plus changes, joined by '+': e.g. `s10+coord8` adds pixel coordinates (1 unit = 8 px) to the
first two embedding channels. Changes to the model, loss or trainer are made here at run time only (a wrapper
around the U-Net built by `spoco.train.build_net`), so that the library stays as it is while they are measured.
Prints one Markdown table row per run, and appends it to OUT/runs.md.
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

import spoco.train as T
from spoco.mean_shift import mean_shift
from spoco.data.cvppp import CVPPP
from spoco.data.synthetic import touching_pairs, write_synthetic_cvppp
from spoco.data.views import standardize
from spoco.demo import min_size
from spoco.metrics import abs_dic, sbd
from spoco.train import Callback, SpocoConfig


class CoordEmbed(nn.Module):
    "A network whose first two output channels get the pixel's (y, x) position, in units of `px` pixels, added."
    def __init__(self, net, px: float, where: str = "out"):
        super().__init__()
        self.net, self.px, self.where = net, px, where

    def coords(self, x):
        H, W = x.shape[-2:]
        yy = torch.arange(H, device=x.device, dtype=x.dtype)[:, None].expand(H, W) / self.px
        xx = torch.arange(W, device=x.device, dtype=x.dtype)[None, :].expand(H, W) / self.px
        return torch.stack([yy, xx])[None].expand(len(x), 2, H, W)

    def forward(self, x):
        c = self.coords(x)
        c = c - c.mean((2, 3), keepdim=True)  # centred: the regulariser on the means does not fight the position
        if self.where == 'in': return self.net(torch.cat([x, c], 1))
        e = self.net(x)
        return torch.cat([e[:, :2] + c, e[:, 2:]], 1)


def arm_config(arm: str, base: SpocoConfig) -> tuple:
    "(config, network wrapper or None) of an arm name like 's10+coord8+lr3e-4'."
    head, *mods = arm.split('+')
    ratio = dict(full=1.0, s10=0.1, s40=0.4, s100=1.0)[head]
    cfg = replace(base, spoco=head != 'full', instance_ratio=ratio)
    wrap = None
    for m in mods:
        if m.startswith('coordin'): wrap = ('in', float(m[7:]))
        elif m.startswith('coord'): wrap = ('out', float(m[5:]))
        elif m.startswith('lr'): cfg = replace(cfg, learning_rate=float(m[2:]))
        elif m == 'gn': cfg = replace(cfg, norm='group')
        elif m == 'deep': cfg = replace(cfg, model_feature_maps=(16, 32, 64, 128, 256))
        elif m == 'wide': cfg = replace(cfg, model_feature_maps=(32, 64, 128, 256))
        elif m.startswith('dd'): cfg = replace(cfg, loss_delta_dist=float(m[2:]))
        elif m.startswith('mom'): cfg = replace(cfg, momentum=float(m[3:]))
        elif m.startswith('inst'): cfg = replace(cfg, loss_instance_weight=float(m[4:]))
        elif m.startswith('upush'): cfg = replace(cfg, loss_unlabeled_push=float(m[5:]))
        elif m == 'nocons': cfg = replace(cfg, loss_consistency_weight=0.0)
        elif m == 'nocos': cfg = replace(cfg, cos=False)
        elif m.startswith('bs'): cfg = replace(cfg, batch_size=int(m[2:]))
        else: raise SystemExit(f'unknown change {m!r} in arm {arm!r}')
    return cfg, wrap


def patch_build_net(wrap):
    "Make `spoco.train.build_net` wrap f in `CoordEmbed` (g is f's deep copy, so it is wrapped the same way)."
    original = T.build_net.__wrapped__ if hasattr(T.build_net, '__wrapped__') else T.build_net
    def build_net(cfg, in_channels):
        if wrap is None: return original(cfg, in_channels)
        where, px = wrap
        f = T.UNet(in_channels + (2 if where == 'in' else 0), cfg.model_out_channels, cfg.model_feature_maps,
                   ndim=2, norm=cfg.norm)
        return T.SpocoNet(CoordEmbed(f, px, where), momentum=cfg.momentum)
    build_net.__wrapped__ = original
    T.build_net = build_net


@torch.no_grad()
def embed(net, image):
    "f's embeddings (E, H, W) of an image (C, H, W) in [0, 1], in eval mode."
    was = net.f.training; net.f.eval()
    e = net.f(standardize(torch.from_numpy(image)[None]))[0].float()
    net.f.train(was)
    return e


def geometry(emb: torch.Tensor, labels: np.ndarray) -> dict:
    "Spread of each leaf around its mean, distance of touching leaves' means, and the oracle clustering's SBD."
    E = emb.shape[0]
    x = emb.reshape(E, -1)
    lab = torch.from_numpy(labels.reshape(-1).astype(np.int64))
    n = int(lab.max())
    mu = torch.zeros(n + 1, E).index_add_(0, lab, x.T) / torch.bincount(lab, minlength=n + 1).clamp(min=1)[:, None].float()
    d = (x.T - mu[lab]).norm(dim=1)
    fg = lab > 0
    per_leaf = torch.zeros(n + 1).index_add_(0, lab[fg], d[fg]) / torch.bincount(lab[fg], minlength=n + 1).clamp(min=1)
    spread = float(per_leaf[1:].mean())
    pairs = touching_pairs(labels)
    nd = [float((mu[a] - mu[b]).norm()) for a, b in pairs]
    oracle = np.zeros(len(lab), np.int64)
    oracle[fg.numpy()] = (torch.cdist(x.T[fg], mu[1:]).argmin(1) + 1).numpy()
    return dict(spread=spread, within=float((d[fg] < 0.5).float().mean()), neighbour=float(np.mean(nd)) if nd else float('nan'),
                oracle=sbd(oracle.reshape(labels.shape), labels))


def score(net, ds, bandwidth, msize, n=None) -> dict:
    "Mean SBD, |DiC|, oracle SBD, spread and neighbour distance over (the first `n`) images of `ds`."
    rows = []
    for i in range(len(ds) if n is None else min(n, len(ds))):
        d = ds.load(i)
        e = embed(net, d['image'])
        seg = mean_shift(e, bandwidth, mask=d['fg'], min_size=msize).astype(np.int64)
        rows.append(dict(sbd=sbd(seg, d['label']), dic=abs_dic(seg, d['label']), **geometry(e, d['label'])))
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


class Curve(Callback):
    "Score the validation images every `every` steps."
    order = 50
    def __init__(self, ds, every, bandwidth, msize): self.ds, self.every, self.bw, self.msize, self.rows = ds, every, bandwidth, msize, []
    def after_step(self, t):
        if t.it % self.every == 0:
            self.rows.append(dict(it=t.it, s=time.perf_counter() - self.t0, **score(t.net, self.ds, self.bw, self.msize)))
            r = self.rows[-1]
            print(f"  it {r['it']:5d} {r['s']:6.0f}s val SBD {r['sbd']:.3f} oracle {r['oracle']:.3f} spread {r['spread']:.2f} neighbour {r['neighbour']:.2f}"
                  f" loss {float(t.loss):.3f} " + ' '.join(f'{k}={float(v):.3f}' for k, v in t.terms.items()), flush=True)
    def before_fit(self, t): self.t0 = time.perf_counter()


def rescore(arm, cfg, root, bandwidths, msize):
    "Test SBD of a finished run's f under mean-shift with several bandwidths, and the oracle's."
    net = T.build_net(cfg, 3)
    ck = torch.load(Path(cfg.checkpoint_dir) / 'last_checkpoint.pytorch', weights_only=False)
    net.f.load_state_dict(ck['f']); net.g.load_state_dict(ck['g'])
    ds = CVPPP(root, 'test')
    embs = [(embed(net, d['image']), d) for d in map(ds.load, range(len(ds)))]
    res = {}
    for bw in bandwidths:
        segs = [(mean_shift(e, bw, mask=d['fg'], min_size=msize).astype(np.int64), d['label']) for e, d in embs]
        res[bw] = (np.mean([sbd(s, l) for s, l in segs]), np.mean([len(np.unique(s)) - 1 - l.max() for s, l in segs]))
    oracle = np.mean([geometry(e, d['label'])['oracle'] for e, d in embs])
    print(f'| {arm} | ' + ' | '.join(f'{v:.3f} ({n:+.1f})' for v, n in res.values()) + f' | {oracle:.3f} |', flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('arms', nargs='*')
    p.add_argument('--seed', type=int, default=0, help='seed of the training (the data set is always seed 0)')
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--leaves', type=int, nargs=2, default=(10, 25))
    p.add_argument('--n-train', type=int, default=32)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--out', default='/tmp/crowded')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rescore', type=float, nargs='+', default=None,
                   help='instead of training, cluster the finished runs of ARMs with these mean-shift bandwidths')
    p.add_argument('--list', action='store_true', help='list the changes an arm can name')
    a = p.parse_args()
    if a.list: print(__doc__); return
    torch.set_num_threads(a.threads)
    T.reuse_freed_memory()
    out = Path(a.out)
    root = write_synthetic_cvppp(out / f'data{a.size}_{a.leaves[0]}_{a.leaves[1]}', a.n_train, 4, 8, a.size, 0, n_leaves=tuple(a.leaves))
    msize = min_size(a.size)
    base = SpocoConfig(ds_name='synthetic', ds_path=str(root), patch_size=(a.size, a.size), batch_size=4, num_workers=0,
                       model_feature_maps=(16, 32, 64, 128), learning_rate=a.lr, max_num_iterations=a.steps,
                       val_every=a.steps, checkpoint_every=a.steps, log_after_iters=a.steps, manual_seed=a.seed,
                       val_min_size=msize, device='cpu')
    for arm in a.arms:
        cfg, wrap = arm_config(arm, base)
        cfg = replace(cfg, checkpoint_dir=str(out / f'{arm}_s{a.seed}_n{a.steps}_{a.size}'))
        patch_build_net(wrap)
        if a.rescore: rescore(arm, cfg, root, a.rescore, msize); continue
        curve = Curve(CVPPP(root, "val"), max(1, a.steps // 3), cfg.loss_delta_var, msize)
        t0 = time.perf_counter()
        tr = T.train(cfg, progress=False, cbs=(curve,))
        secs = time.perf_counter() - t0
        test = score(tr.net, CVPPP(root, 'test'), cfg.loss_delta_var, msize)
        row = (f"| {arm} | {a.seed} | {a.steps} | {a.size} | {secs:.0f} | {test['sbd']:.3f} | {test['dic']:.1f} | {test['oracle']:.3f} | "
               f"{test['spread']:.2f} ({test['within']:.0%}) | {test['neighbour']:.2f} | "
               + ', '.join(f"{r['it']}:{r['sbd']:.2f}" for r in curve.rows) + ' |')
        print(row, flush=True)
        with open(out / 'runs.md', 'a') as fh: fh.write(row + '\n')
        (Path(cfg.checkpoint_dir) / 'curve.json').write_text(json.dumps(dict(arm=arm, test=test, secs=secs, curve=curve.rows)))


if __name__ == '__main__':
    main()
