"""Speed of the full SPOCO training step against the bare networks, measured in the same run.

Run: `python bench/train_step.py` (CPU) — on a GPU it also compares fp32, bf16 and bf16 + channels-last.
Full step: a batch from the training loader (two augmented views), f forward and backward, g forward,
the SPOCO loss, the optimizer step and the EMA update of g. Bare networks: f forward and backward and
g forward on fixed tensors of the same shape. Prints iterations/s, images/s and the ratio full / bare.
Like `spoco_train`, the script first calls `reuse_freed_memory()`; `--default-malloc` leaves glibc's defaults.
"""
import argparse, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch

from spoco.data.loaders import make_loaders
from spoco.data.synthetic import write_synthetic_cvppp
from spoco.config import SpocoConfig
from spoco.run import build_loss, build_net, reuse_freed_memory
from spoco.train import Trainer, build_data


def bare_step(net, x1, x2):
    "f forward and backward and g forward: the work no training step can avoid."
    emb = net.f(x1)
    emb.float().square().mean().backward()
    with torch.no_grad(): net.g(x2)
    net.f.zero_grad(set_to_none=True)


def timed(fn, n: int, sync) -> float:
    "Seconds per call of `fn` over `n` calls, after one warm-up call."
    fn(); sync()
    t0 = time.perf_counter()
    for _ in range(n): fn()
    sync()
    return (time.perf_counter() - t0) / n


def measure(cfg: SpocoConfig, n: int, device: torch.device) -> dict:
    "Seconds per full training step and per bare network step for one configuration."
    train_ds, _ = build_data(cfg)
    dl, _ = make_loaders(train_ds, batch_size=cfg.batch_size, num_workers=cfg.num_workers, seed=0)
    net, loss_fn = build_net(cfg, 3).to(device), build_loss(cfg)
    if device.type == 'cuda' and cfg.amp: net = net.to(memory_format=torch.channels_last)
    t = Trainer(cfg, net, loss_fn, dl, device=device)
    batches = iter(dl)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    full = timed(lambda: t.one_step(next(batches)), n, sync)
    x = torch.randn(cfg.batch_size, 3, *cfg.patch_size, device=device)
    if device.type == 'cuda' and cfg.amp: x = x.contiguous(memory_format=torch.channels_last)
    def bare():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda' and cfg.amp): bare_step(net, x, x)
    return dict(full=full, bare=timed(bare, n, sync))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=4); p.add_argument('--workers', type=int, default=0)
    p.add_argument('--default-malloc', action='store_true', help="glibc's default allocator, not spoco_train's setting")
    a = p.parse_args()
    print("glibc's default allocator" if a.default_malloc else f'freed memory reused (as spoco_train does): {reuse_freed_memory()}')
    root = write_synthetic_cvppp(Path(tempfile.mkdtemp()) / 'cvppp', n_train=2 * a.steps * 4 + 8, n_val=0, n_test=0, size=448)
    cfg = SpocoConfig(ds_name='cvppp', ds_path=str(root), patch_size=(448, 448), batch_size=4, num_workers=a.workers, device='cpu')
    runs = [('cpu fp32', torch.device('cpu'), replace(cfg, amp=False))]
    if torch.cuda.is_available():
        gpu = torch.device('cuda')
        runs = [('cuda fp32', gpu, replace(cfg, amp=False, device='cuda')), ('cuda bf16+channels_last', gpu, replace(cfg, device='cuda'))]
    for name, device, c in runs:
        r = measure(c, a.steps, device)
        print(f'{name}: full step {r["full"]:.3f} s ({1 / r["full"]:.2f} it/s, {c.batch_size / r["full"]:.1f} images/s); '
              f'bare networks {r["bare"]:.3f} s; ratio full / bare {r["full"] / r["bare"]:.2f}x')


if __name__ == '__main__':
    main()
