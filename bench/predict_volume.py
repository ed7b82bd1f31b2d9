"""Peak memory and time of predicting HDF5 volumes of growing size: block by block (`predict_volume`) against
reading the whole volume and predicting it at once (`predict_embeddings`), each in a fresh process.

    python bench/predict_volume.py                       # 64^3, 128^3, 256^3 (whole-volume reference up to 128^3)
    python bench/predict_volume.py --sizes 64 128 --whole-up-to 128

Volumes are written on the fly, slab by slab, as uint16 with touching blobs. The network is a small 3D U-Net
(feature maps 4 8 16, 8 embedding channels): the point is memory that stays bounded while the volume grows.
Prints one row per (size, method): voxels, seconds, peak resident memory of the predicting process, and the ratio of
that peak to the size of the volume's float32 embeddings (f and g).
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

import h5py
import numpy as np

CHILD = r'''
import json, sys, time, torch
from pathlib import Path
from spoco.data.volumes import VolumeDataset
from spoco.data.views import standardize
from spoco.model import SpocoNet, UNet
from spoco.predict import predict_embeddings, predict_volume, write_prediction
torch.manual_seed(0)
path, out, method = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
net = SpocoNet(UNet(1, 8, (4, 8, 16), ndim=3))
ds = VolumeDataset([path], patch_shape=None)
t = time.perf_counter()
if method == 'blocks': predict_volume(net, ds, 0, out / 'v_predictions.h5', tile_shape=(64, 128, 128), batch_size=1)
else:
    d = ds.load(0)
    f, g = predict_embeddings(net, standardize(torch.from_numpy(d['image'])[None])[0], tile_shape=(64, 128, 128), batch_size=1)
    write_prediction(out, 'v', d['image'], f, g)
print(json.dumps(dict(seconds=time.perf_counter() - t)))
'''

def write_volume(path: Path, side: int, seed: int = 0):
    "A (side, side, side) uint16 volume of blurred blobs with labels, written slab by slab."
    rng = np.random.default_rng(seed)
    with h5py.File(path, 'w') as f:
        raw = f.create_dataset('raw', (side,) * 3, np.uint16, chunks=(min(side, 32), min(side, 64), min(side, 64)))
        lab = f.create_dataset('label', (side,) * 3, np.uint32, chunks=raw.chunks)
        for z in range(0, side, 16):
            d = min(16, side - z)
            zz, yy, xx = np.meshgrid(np.arange(z, z + d), np.arange(side), np.arange(side), indexing='ij')
            ids = ((zz // 12) * 10007 + (yy // 12) * 101 + xx // 12).astype(np.uint32) + 1
            raw[z:z + d] = (1000 + 2000 * np.sin(zz / 3.0) ** 2 * np.cos(yy / 5.0) ** 2 + rng.normal(0, 50, zz.shape)).clip(0, 65535).astype(np.uint16)
            lab[z:z + d] = ids


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--sizes', type=int, nargs='+', default=[64, 128, 256], help='volume sides, increasing')
    p.add_argument('--whole-up-to', type=int, default=128, help='also predict whole volumes up to this side')
    a = p.parse_args()
    print(f'{"side":>5} {"voxels":>11} {"method":>7} {"seconds":>8} {"peak MiB":>9} {"peak/emb":>9}')
    for side in a.sizes:
        with tempfile.TemporaryDirectory() as d:
            d = Path(d); write_volume(d / 'v.h5', side)
            emb_mib = 2 * 8 * 4 * side ** 3 / 2 ** 20
            for method in ['blocks'] + (['whole'] if side <= a.whole_up_to else []):
                (d / method).mkdir()
                # a fresh interpreter per row: measure its own peak with /usr/bin/time-like accounting via a wrapper
                r = subprocess.run([sys.executable, '-c', 'import resource, runpy, sys; sys.argv = sys.argv[1:]; '
                                    'exec(sys.argv[0]); import json; print(json.dumps(dict(peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))',
                                    CHILD, str(d / 'v.h5'), str(d / method), method], capture_output=True, text=True)
                if r.returncode: raise SystemExit(r.stderr[-2000:])
                lines = [json.loads(l) for l in r.stdout.strip().splitlines() if l.startswith('{')]
                secs, peak = lines[0]['seconds'], lines[1]['peak'] / 1024
                print(f'{side:>5} {side ** 3:>11,} {method:>7} {secs:>8.1f} {peak:>9.0f} {peak / emb_mib:>9.2f}', flush=True)

if __name__ == '__main__': main()
