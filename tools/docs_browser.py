"""Open every rendered docs page in headless Chromium and check what a reader must see on it.

Every page: each picture loads and is not blank (drawn into a canvas, its pixels vary). The pages in `EXPECT`:
at least as many pictures as listed, and the listed text (a `--help` text, a score table) in what the page
shows or in the cells' outputs.
Keeps a screenshot of each page in `EXPECT` under SHOTS for a person to look at. Serves HTML_DIR on a free
loopback port for the time of the check. Ends with one line `docs: N pages opened in Chromium, ...`.

    python tools/docs_browser.py HTML_DIR SHOTS_DIR
"""
import functools, http.server, re, sys, tempfile, threading
from pathlib import Path

import chromium

MIN_STD = 3.0  # a picture whose grey levels vary less than this (0-255 scale) is taken for blank

# What a reader must see on the key pages: the least number of figures in the cells' outputs (`figures`) and of
# pictures anywhere on the page (`pictures`), patterns of the visible text (`text`),
# and patterns that must appear in the cells' outputs (`out`) -- not merely in the code that computes them.
EXPECT = {
    'index': dict(pictures=1, text=[r'make demo'], out=[r'labelled leaves']),
    '00_data.synthetic': dict(figures=1),
    '00_data.io': dict(out=[r'array\(\[ *8, +9, +10\]']),
    '02_data.views': dict(figures=1),
    '15_viz': dict(figures=1),
    '67_train_ddp': dict(out=[r'usage: spoco_train']),
    '40_predict': dict(out=[r'usage: spoco_predict']),
    '65_cluster_predictions': dict(out=[r'usage: spoco_cluster', r'image\s+sbd\s+abs_dic', r'mean\s+0\.750\s+1\.500']),
    '80_tutorial_cvppp': dict(figures=2, out=[r'image\s+sbd\s+abs_dic\s+fbd']),
    '81_tutorial_cityscapes': dict(figures=1, out=[r'\bap50\b']),
    '82_tutorial_own_data': dict(figures=1, out=[r'\bf1\b']),
    '83_tutorial_3d': dict(figures=2, out=[r'\bf1\b', r'pooling per level']),
    '84_tutorial_napari': dict(pictures=1, out=[r'rdf\.yaml']),
    '76_napari_plugin': dict(out=[r'objects in layer instances']),
    '75_export': dict(figures=1, out=[r'usage: spoco_export', r"'passed'"]),
    '85_ablation': dict(pictures=3, figures=1, out=[r'no-consistency']),
    '86_peers': dict(pictures=2, figures=1, text=[r'StarDist'], out=[r'\| 2D nuclei \| 0\.1 \| spoco \|']),
    '90_demo': dict(figures=2, out=[r'usage: spoco_demo', r'--iterations ITERATIONS', r'image\s+sbd\s+abs_dic']),
    '95_explorer': dict(figures=1, out=[r'mean-shift on f, bandwidth 0\.25: \d+ clusters']),
}

IMAGES_JS = """async () => {
  const out = [];
  for (const img of document.images) {
    await img.decode().catch(() => {});
    const w = img.naturalWidth, h = img.naturalHeight;
    let std = -1;
    if (w && h) {
      const s = Math.min(1, 256 / Math.max(w, h)), c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(w * s)); c.height = Math.max(1, Math.round(h * s));
      const x = c.getContext('2d'); x.drawImage(img, 0, 0, c.width, c.height);
      const d = x.getImageData(0, 0, c.width, c.height).data;
      let n = 0, m = 0, m2 = 0;
      for (let i = 0; i < d.length; i += 4) {  // grey level over a white page
        const a = d[i + 3] / 255, l = (d[i] + d[i + 1] + d[i + 2]) / 3 * a + 255 * (1 - a);
        n++; m += l; m2 += l * l;
      }
      m /= n; std = Math.sqrt(Math.max(0, m2 / n - m * m));
    }
    out.push({src: (img.getAttribute('src') || '').slice(0, 50), w, h, std});
  }
  return out;
}"""


def serve(root):
    "Serve `root` on a free loopback port in a daemon thread; return the server."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(root))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def check_page(page, url, stem):
    "Open one page; return the list of problems a reader would see."
    bad = []
    resp = page.goto(url, wait_until='load', timeout=60_000)
    if not resp or resp.status != 200: return [f'{stem}: the page did not load ({resp and resp.status})']
    imgs = page.evaluate(IMAGES_JS)
    for i in imgs:
        if not i['w']: bad.append(f"{stem}: a picture does not load ({i['src']}...)")
        elif i['std'] < MIN_STD: bad.append(f"{stem}: a picture is blank ({i['w']}x{i['h']}, {i['src']}...)")
    want = EXPECT.get(stem, {})
    if len(imgs) < want.get('pictures', 0): bad.append(f"{stem}: {len(imgs)} pictures, expected at least {want['pictures']}")
    figs = page.locator('.jp-OutputArea-output img').count()
    if figs < want.get('figures', 0): bad.append(f"{stem}: {figs} figures in the outputs, expected at least {want['figures']}")
    text = page.inner_text('body')
    outputs = '\n'.join(page.locator('.jp-OutputArea-output').all_inner_texts())
    bad += [f'{stem}: the page does not show /{t}/' for t in want.get('text', []) if not re.search(t, text)]
    bad += [f'{stem}: no output shows /{t}/' for t in want.get('out', []) if not re.search(t, outputs)]
    return bad


def main(html_dir, shots):
    from playwright.sync_api import sync_playwright
    html_dir, shots = Path(html_dir), Path(shots)
    pages = sorted(html_dir.glob('*.html'))
    missing = sorted(set(EXPECT) - {p.stem for p in pages})
    if missing: print(f'docs: FAILED: no page for {", ".join(missing)}'); return 1
    shots.mkdir(parents=True, exist_ok=True)
    srv, bad, n_img = serve(html_dir), [], 0
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            ctx = pw.chromium.launch_persistent_context(profile, executable_path=chromium.executable(), headless=True, args=chromium.ARGS,
                                                        viewport=dict(width=1280, height=900))
            page = ctx.new_page()
            for p in pages:
                bad += check_page(page, f'http://127.0.0.1:{srv.server_address[1]}/{p.name}', p.stem)
                n_img += page.evaluate('document.images.length')
                if p.stem in EXPECT:
                    page.screenshot(path=str(shots / f'{p.stem}.jpg'), full_page=True, type='jpeg', quality=60)
            ctx.close()
    finally: srv.shutdown()
    print('\n'.join(f'docs: FAILED {b}' for b in bad) if bad else
          f'docs: {len(pages)} pages opened in Chromium, {n_img} pictures shown, none blank; '
          f'{len(EXPECT)} key pages checked, screenshots in {shots}')
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__.splitlines()[-1].strip())
    sys.exit(main(*sys.argv[1:]))
