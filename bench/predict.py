"""Time whole-image against tiled prediction with the default SPOCO U-Net, and measure the seams' error per overlap.

Run: `python bench/predict.py [H W]` (about a minute on 2 CPU cores at the default 512x768; on CUDA it runs in bf16).
A freshly initialised `UNet(3, 16)` (feature maps 16 ... 512, six levels, receptive radius 250 pixels) with random
batch-norm statistics predicts one standardised random image in eval mode, first whole, then in 384x384 tiles with
overlaps 64, 128 and 256, and in 544x544 tiles with the exact overlap (2 x 250 rounded up to 512; the 512-pixel height then needs no tiling): for each, the wall time and the largest
absolute difference from whole-image prediction, relative to the largest absolute embedding value.
"""
import sys, time
import torch
from spoco.model import UNet
from spoco.predict import predict_embeddings
from spoco.tiles import size_multiple, unet_radius


def timed(f):
    "Wall time of one call, and its result."
    t0 = time.perf_counter(); out = f(); return time.perf_counter() - t0, out


if __name__ == '__main__':
    h, w = (int(v) for v in sys.argv[1:3]) if len(sys.argv) > 2 else (512, 768)
    torch.manual_seed(0)
    net = UNet(3, 16)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d): m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 2)
    if torch.cuda.is_available(): net = net.cuda()
    img = torch.randn(3, h, w)
    print(f'image {h}x{w}, receptive radius {unet_radius(net)}, device {next(net.parameters()).device}, threads {torch.get_num_threads()}')
    t, whole = timed(lambda: predict_embeddings(net, img))
    scale = float(whole.abs().max())
    print(f"{'whole image':<24}{t:7.2f} s")
    for tile, overlap in ((384, 64), (384, 128), (384, 256), (544, None)):
        t, tiled = timed(lambda: predict_embeddings(net, img, tile_shape=tile, overlap=overlap, batch_size=2))
        err = float((tiled - whole).abs().max()) / scale
        m = size_multiple(net, 2)[0]; used = -(-(overlap or 2 * unet_radius(net)) // m) * m
        print(f"{f'tiles {tile} overlap {used}':<24}{t:7.2f} s   max |difference| / max |embedding| {err:.1e}")
