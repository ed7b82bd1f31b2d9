"""HDBSCAN on whole images: `hdbscan_cluster` on a sample of 20 000 pixels (the default) against all pixels.

    python bench/cluster_hdbscan.py            # 256x256 (both) and 512x512 (sampled; all pixels with --full-512)

Toy embeddings (16-D, objects on a background, `spoco.cluster.toy_embeddings`), min size 100, eps 0.5, no mask:
prints seconds and SBD against the truth for each size and method.
"""
import argparse, time
from spoco.cluster import hdbscan_cluster
from spoco.mean_shift import toy_embeddings
from spoco.metrics import sbd

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--full-512', action='store_true', help='also run HDBSCAN on all 262 144 pixels of the 512x512 image (minutes)')
    a = p.parse_args()
    print(f'{"size":>8} {"points":>8} {"method":>8} {"seconds":>8} {"SBD":>6}')
    for side, full in ((256, True), (512, a.full_512)):
        emb, truth = toy_embeddings((side, side), n_objects=40, seed=0)
        for name, n in [('sampled', 20_000)] + ([('all', 10 ** 7)] if full else []):
            t = time.perf_counter(); seg = hdbscan_cluster(emb, 100, 0.5, remove_largest=True, max_points=n); t = time.perf_counter() - t
            print(f'{side:>4}x{side:<3} {side * side:>8} {name:>8} {t:>8.1f} {sbd(seg, truth):>6.3f}', flush=True)

if __name__ == '__main__': main()
