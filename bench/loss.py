"""Speed and memory of the SPOCO loss, fast (`FastSpocoLoss` of `spoco.loss_fast`, what training uses) and plain
(`SpocoLoss`), against its slow loop reference (`spoco.testing.reference_terms`) and against the U-Net it trains.

    python bench/loss.py            # full run: B=4, E=16, 448x448, ~20 objects, 10/40/100% labelled
    python bench/loss.py --quick    # smaller and faster, to check that the script works
    python bench/loss.py --gpu-only # only the GPU rows (fp32 and bf16 autocast), on a machine with CUDA
    python bench/loss.py --tricks   # the single operations behind the fast path's choices, each against its plain form

Times are forward+backward, median of several repeats (the slow reference: fewer repeats); ratios are of times
measured in the same run. Like a training process
(`spoco_train`, `spoco_demo`), the script first calls `spoco.run.reuse_freed_memory()`, so that large freed
blocks are reused rather than mapped afresh; `--default-malloc` measures with glibc's defaults instead.
`--against REV` times the fast loss, the plain loss and the loss of an earlier git revision (the `SpocoLoss` of its
`spoco/loss.py`, which must not need other modules of the package; since `FastSpocoLoss` exists, the plain loss) in
the same process, alternating calls, and prints their times and ratios.
Peak extra memory of the loss is measured on CPU (Linux) in a fresh subprocess: after one warm-up call on a
small batch and with the inputs allocated, the peak resident size is reset (`/proc/self/clear_refs`), one
forward+backward runs, and the new peak (`VmHWM`) minus the resident size before (`VmRSS`) is reported.
Large tensors are mmap-ed by the allocator and returned on free, so this tracks tensor memory, including the
gradient of the embeddings.
On a GPU, `torch.cuda.max_memory_allocated` minus the memory allocated before the call is used instead.
"""
import argparse, json, math, statistics, subprocess, sys, time
from pathlib import Path
import torch
from spoco.loss import SpocoLoss
from spoco.loss_fast import FastSpocoLoss
from spoco.model import UNet
from spoco.testing import reference_terms
from spoco.run import reuse_freed_memory


def synthetic_batch(B, E, size, n_objects, ratio, device='cpu', seed=0):
    "Discs of random radius on a background; `ratio` of the objects labelled, the rest and the background 0."
    gen = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
    target = torch.zeros(B, size, size, dtype=torch.long)
    for b in range(B):
        centres = torch.randint(0, size, (n_objects, 2), generator=gen)
        radii = torch.randint(size // 18, size // 9, (n_objects,), generator=gen)
        for k, ((cy, cx), r) in enumerate(zip(centres.tolist(), radii.tolist())):
            target[b][(yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2] = 1000 + 7 * k  # non-consecutive ids
    full = target.clone()
    for b in range(B):  # keep round(ratio * n) objects of each image, the others become unknown
        ids = full[b].unique()[1:]
        drop = ids[torch.randperm(len(ids), generator=gen)[round(ratio * len(ids)):]]
        target[b][torch.isin(full[b], drop)] = 0
    centres = 2 * torch.randn(B, full.max() + 1, E, generator=gen)  # every object, labelled or not, a cluster
    emb = torch.stack([centres[b][full[b]] for b in range(B)]).permute(0, 3, 1, 2).contiguous()  # the U-Net's layout
    emb = emb + 0.4 * torch.randn(emb.shape, generator=gen)
    emb_g = emb + 0.2 * torch.randn(emb.shape, generator=gen)
    return emb.to(device), emb_g.to(device), target.to(device)


def sync(device):
    if device == 'cuda': torch.cuda.synchronize()


def timed(fn, repeats, device='cpu'):
    "Median seconds of `repeats` calls of `fn` after one warm-up call."
    fn(); sync(device)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(device); times.append(time.perf_counter() - t0)
    return statistics.median(times)


def loss_step(loss, emb_f, emb_g, target, reference=False, autocast=None):
    "One forward+backward of the loss (or of its slow reference) with fresh leaf embeddings."
    ef = emb_f.detach().requires_grad_()
    gen = torch.Generator(device=ef.device).manual_seed(0)
    with torch.autocast(ef.device.type, dtype=autocast or torch.float32, enabled=autocast is not None):
        if reference:
            terms = reference_terms(loss, ef, emb_g, target, gen)
            value = loss.total(terms)
        else: value = loss(ef, emb_g, target, gen)
    value.backward()
    return value.item()


def unet_step(net, images):
    net.zero_grad(set_to_none=True)
    net(images).square().mean().backward()


def memory_child(args):
    "Run in a subprocess: peak extra resident memory (MiB) of one loss forward+backward."
    loss = SpocoLoss() if args.plain else FastSpocoLoss()
    small = synthetic_batch(2, args.emb, 64, 4, args.ratio)
    loss_step(loss, *small)  # load code and start threads before measuring
    emb_f, emb_g, target = synthetic_batch(args.batch, args.emb, args.size, args.objects, args.ratio)
    with open('/proc/self/clear_refs', 'w') as f: f.write('5')  # reset the peak (VmHWM) to the current RSS
    before = vm_kib('VmRSS')
    loss_step(loss, emb_f, emb_g, target)
    print(json.dumps(dict(extra_mib=(vm_kib('VmHWM') - before) / 1024)))


def vm_kib(field):
    "A memory figure of this process from /proc/self/status, in KiB."
    line = next(l for l in open('/proc/self/status') if l.startswith(field + ':'))
    return int(line.split()[1])


def peak_memory_mib(args, ratio, plain=False):
    cmd = [sys.executable, __file__, '--memory-child', '--ratio', str(ratio), '--batch', str(args.batch),
           '--emb', str(args.emb), '--size', str(args.size), '--objects', str(args.objects)] + \
          ['--default-malloc'] * args.default_malloc + ['--plain'] * plain
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()[-1])['extra_mib']


def module_at(rev: str, path: str = 'spoco/loss.py'):
    "The module `path` as it was at git revision `rev` (the loss needs nothing else of the package)."
    import types
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(['git', 'show', f'{rev}:{path}'], cwd=root, capture_output=True, text=True, check=True).stdout
    mod = types.ModuleType(f'loss_at_{rev}')
    exec(compile(source, f'{rev}:{path}', 'exec'), mod.__dict__)
    return mod


def compare(args):
    "Fast, plain and revision `args.against`'s loss, alternating calls, median of `args.repeats` each."
    losses = {'fast': FastSpocoLoss(), 'plain': SpocoLoss(), args.against: module_at(args.against).SpocoLoss()}
    for ratio in (0.1, 0.4, 1.0):
        batch = synthetic_batch(args.batch, args.emb, args.size, args.objects, ratio)
        times = {name: [] for name in losses}
        for loss in losses.values(): loss_step(loss, *batch)
        for _ in range(args.repeats):
            for name, loss in losses.items():
                t0 = time.perf_counter(); loss_step(loss, *batch); times[name].append(time.perf_counter() - t0)
        t = {name: statistics.median(ts) for name, ts in times.items()}
        print(f"labelled {ratio:4.0%}: fast {t['fast']*1e3:7.1f} ms, plain {t['plain']*1e3:7.1f} ms, "
              f"at {args.against} {t[args.against]*1e3:7.1f} ms; {args.against}/fast {t[args.against]/t['fast']:4.2f}x, "
              f"plain/fast {t['plain']/t['fast']:4.2f}x")


def tricks(args):
    "Each choice of `spoco.loss_fast` (and its `spoco.loss_segments`) against the plain operation it replaces, on full-size tensors, alternating calls."
    from spoco.loss_fast import lift
    from spoco.loss_segments import label_segments, segment_sums
    B, E, N, K = args.batch, args.emb, args.size ** 2, args.objects + 1
    gen = torch.Generator().manual_seed(0)
    x, z = torch.randn(B, E, N, generator=gen), -30 * torch.rand(B, K, N, generator=gen)
    target = torch.randint(0, K, (B, N), generator=gen)
    seg = label_segments(target)
    key = (target + K * torch.arange(B)[:, None]).flatten()
    pairs = {'numbering segments (bincount / unique)': (lambda: torch.bincount(key, minlength=B * K),
                                                        lambda: torch.unique(key, return_inverse=True, return_counts=True)),
             'per-segment sums (segment_sums / scatter_add_)': (lambda: segment_sums(x, seg),
                 lambda: x.new_zeros(B, E, K).scatter_add_(2, target[:, None].expand(-1, E, -1), x)),
             'lifted embeddings (lift / cat of x, x.square().sum(1), 1)': (lambda: lift(x),
                 lambda: torch.cat([x, x.square().sum(1, keepdim=True), torch.ones_like(x[:, :1])], 1)),
             'kernel (exp2 / exp)': (lambda: torch.exp2(z), lambda: torch.exp(z * math.log(2))),
             'kernel exponents down to -150 (floored at -40 / not floored)': (lambda: (5 * z).clamp_(min=-40.).exp2_(),
                                                                              lambda: (5 * z).exp2_())}
    for name, (fast, slow) in pairs.items():
        times = {'fast': [], 'plain': []}
        fast(); slow()
        for _ in range(args.repeats):
            for which, fn in (('fast', fast), ('plain', slow)):
                t0 = time.perf_counter(); fn(); times[which].append(time.perf_counter() - t0)
        t_fast, t_plain = statistics.median(times['fast']), statistics.median(times['plain'])
        print(f"{name}: fast path {t_fast*1e3:7.2f} ms, plain form {t_plain*1e3:7.2f} ms, plain/fast {t_plain/t_fast:5.1f}x")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=4); p.add_argument('--emb', type=int, default=16)
    p.add_argument('--size', type=int, default=448); p.add_argument('--objects', type=int, default=20)
    p.add_argument('--repeats', type=int, default=5); p.add_argument('--ref-repeats', type=int, default=1)
    p.add_argument('--threads', type=int, default=2); p.add_argument('--quick', action='store_true')
    p.add_argument('--ratio', type=float, default=0.1); p.add_argument('--memory-child', action='store_true')
    p.add_argument('--plain', action='store_true', help='with --memory-child: measure the plain loss (SpocoLoss)')
    p.add_argument('--default-malloc', action='store_true', help="glibc's default allocator, not the training setting")
    p.add_argument('--against', default=None, help='a git revision whose spoco/loss.py to compare with')
    p.add_argument('--gpu-only', action='store_true', help='skip the CPU rows (and the slow reference)')
    p.add_argument('--tricks', action='store_true', help="time the single operations behind the fast path's choices")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    malloc = "glibc's default allocator" if args.default_malloc else f'freed memory reused: {reuse_freed_memory()}'

    if args.quick: args.size, args.repeats = 128, 2
    if args.memory_child: return memory_child(args)
    loss, plain = FastSpocoLoss(), SpocoLoss()
    print(f"torch {torch.__version__}, {args.threads} threads, B={args.batch} E={args.emb} "
          f"{args.size}x{args.size}, ~{args.objects} objects per image; {malloc}")
    if args.against: return compare(args)
    if args.tricks: return tricks(args)
    if args.gpu_only and not torch.cuda.is_available(): sys.exit('--gpu-only: no CUDA device is available')

    net = UNet(3, args.emb)
    images = torch.randn(args.batch, 3, args.size, args.size)
    if not args.gpu_only:
        t_unet = timed(lambda: unet_step(net, images), max(1, args.repeats // 2))
        print(f"U-Net f_maps 16..512 forward+backward: {t_unet:.3f} s")

    for ratio in () if args.gpu_only else (0.1, 0.4, 1.0):
        emb_f, emb_g, target = synthetic_batch(args.batch, args.emb, args.size, args.objects, ratio)
        n_lab = (target.flatten(1)[:, :, None] == target.flatten(1).unique()[1:]).any(1).sum(1).tolist()
        t_fast = timed(lambda: loss_step(loss, emb_f, emb_g, target), args.repeats)
        t_plain = timed(lambda: loss_step(plain, emb_f, emb_g, target), args.repeats)
        t_ref = timed(lambda: loss_step(loss, emb_f, emb_g, target, reference=True), args.ref_repeats)
        mib, mib_plain = peak_memory_mib(args, ratio), peak_memory_mib(args, ratio, plain=True)
        print(f"labelled {ratio:4.0%} (objects labelled per image {n_lab}): fast {t_fast*1e3:7.1f} ms, "
              f"plain {t_plain*1e3:7.1f} ms ({t_plain/t_fast:4.2f}x), reference {t_ref*1e3:8.1f} ms ({t_ref/t_fast:5.1f}x), "
              f"fast/U-Net {100*t_fast/t_unet:4.1f}%, peak extra memory fast {mib:5.0f} MiB, plain {mib_plain:5.0f} MiB")

    if torch.cuda.is_available():
        net, images = net.cuda(), images.cuda()
        for name, dtype in (('fp32', None), ('bf16 autocast', torch.bfloat16)):
            def unet_amp():
                with torch.autocast('cuda', dtype=dtype or torch.float32, enabled=dtype is not None): out = net(images)
                out.float().square().mean().backward()
            t_unet = timed(unet_amp, args.repeats, 'cuda')
            for ratio in (0.1, 0.4, 1.0):
                emb_f, emb_g, target = (t.cuda() for t in synthetic_batch(args.batch, args.emb, args.size, args.objects, ratio))
                if dtype is not None: emb_f, emb_g = emb_f.to(dtype), emb_g.to(dtype) # what the U-Net gives under autocast
                torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
                t_fast = timed(lambda: loss_step(loss, emb_f, emb_g, target, autocast=dtype), args.repeats, 'cuda')
                mib = (torch.cuda.max_memory_allocated() - base) / 2**20
                t_plain = timed(lambda: loss_step(plain, emb_f, emb_g, target, autocast=dtype), args.repeats, 'cuda')
                t_ref = None if dtype is not None else timed(lambda: loss_step(loss, emb_f, emb_g, target, reference=True), args.ref_repeats, 'cuda')
                ref = '' if t_ref is None else f"reference {t_ref*1e3:7.1f} ms, speed-up {t_ref/t_fast:5.1f}x, "
                print(f"GPU {name}: labelled {ratio:4.0%}: fast {t_fast*1e3:6.1f} ms, plain {t_plain*1e3:6.1f} ms, {ref}U-Net {t_unet*1e3:6.1f} ms, "
                      f"loss/U-Net {100*t_fast/t_unet:4.1f}%, peak extra memory {mib:5.0f} MiB")


if __name__ == '__main__': main()
