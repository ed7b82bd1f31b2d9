"""Render the docs' index page in headless Chromium and check that it shows the title and a figure.

Run `tools/docs_check.sh` first (it writes `_proc/html/index.html`), then `python bench/docs_screenshot.py`.
Needs Chromium (Debian: `apt-get install -y chromium`). The page is loaded from disk and no host name resolves, so
the scripts it links from a CDN (MathJax, require.js) stay out and the result does not depend on the network.
Writes `_proc/index.png` (1200x1600) and prints one line per check; exits 1 if a check fails, 2 if it cannot run.
(a) title: the HTML has an H1 "spoco";
(b) figure: the HTML has an `<img>` whose source exists (an embedded matplotlib output or a file beside the page);
(c) not blank: the screenshot's grey-level standard deviation exceeds MIN_STD.
"""
import html, re, shutil, subprocess, sys, tempfile
from pathlib import Path
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PAGE, SHOT = ROOT / '_proc/html/index.html', ROOT / '_proc/index.png'
TITLE, MIN_STD, TIMEOUT = 'spoco', 10.0, 120
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--window-size=1200,1600',
         '--host-resolver-rules=MAP * ~NOTFOUND']  # no name resolves: the page renders from disk alone


def chromium():
    "Path of the Chromium executable, or None."
    return next(filter(None, map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome'))), None)


def screenshot(browser, page, out):
    "Render `page` (a file) into the PNG `out` with a fresh, throw-away browser profile."
    with tempfile.TemporaryDirectory() as profile:
        cmd = [browser, *FLAGS, f'--user-data-dir={profile}', f'--screenshot={out}', page.as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def checks(text, page, shot):
    "(name, passed, detail) for the title, the figure and the screenshot."
    h1s = [html.unescape(re.sub(r'<[^>]+>|¶', '', h)).strip() for h in re.findall(r'<h1[^>]*>(.*?)</h1>', text, re.S)]
    srcs = re.findall(r'<img[^>]*\bsrc="([^"]*)"', text)
    found = [s for s in srcs if s.startswith('data:') or re.match(r'https?:', s) or (page.parent / s).exists()]
    std = float(np.asarray(Image.open(shot).convert('L'), np.float32).std()) if shot.exists() else 0.0
    return [('title', TITLE in h1s, f'H1 headings {h1s[:3]}'),
            ('figure', bool(found), f'{len(srcs)} <img> tags, {len(found)} with a source that exists'),
            ('not blank', std > MIN_STD, f'screenshot grey-level std {std:.1f} (needs > {MIN_STD})')]


def main():
    if not PAGE.exists(): print(f'{PAGE.relative_to(ROOT)} is missing: run tools/docs_check.sh first.'); sys.exit(2)
    browser = chromium()
    if browser is None:
        print('Chromium is not installed; on Debian: apt-get install -y chromium'); sys.exit(2)
    SHOT.unlink(missing_ok=True)
    run = screenshot(browser, PAGE, SHOT)
    if not SHOT.exists(): print(f'Chromium wrote no screenshot (exit {run.returncode}):\n{run.stderr[-2000:]}'); sys.exit(2)
    results = checks(PAGE.read_text(), PAGE, SHOT)
    for name, ok, detail in results: print(f"{'ok' if ok else 'FAILED'}: {name}: {detail}")
    print(f'screenshot: {SHOT.relative_to(ROOT)}')
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


if __name__ == '__main__': main()
