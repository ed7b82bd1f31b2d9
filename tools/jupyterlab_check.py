"""Run notebooks through the JupyterLab UI in headless Chromium, as a reader does, and check the explorer's widget.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, fresh settings and workspaces) over a temporary
folder holding copies of the notebooks, so that nothing in nbs/ is touched. For each notebook: open it, choose
Run > Run All Cells in the menu, wait until every code cell has run, and fail on any error output. On the
explorer it then checks that the widget shows its sliders and a picture that is not blank, moves the `y`
slider by typing into its readout, and checks that the picture changes. Screenshots go to OUT
(default _proc/jupyterlab/). Stops the server by its process id. Ends with one line `jupyterlab: ...`.

    python tools/jupyterlab_check.py [NOTEBOOK ...] [--out DIR]
"""
import argparse, json, os, secrets, shutil, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

import chromium
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ['95_explorer.ipynb', '80_tutorial_cvppp.ipynb', '81_tutorial_cityscapes.ipynb', '82_tutorial_own_data.ipynb', '83_tutorial_3d.ipynb', '84_tutorial_napari.ipynb']
EXPLORER = '95_explorer.ipynb'
RUN_TIMEOUT = int(os.environ.get('JUPYTERLAB_CHECK_TIMEOUT', 300))  # seconds for one notebook's cells
MIN_STD = 3.0  # as in tools/docs_browser.py: a picture whose grey levels vary less is blank

STD_JS = """img => {
  const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const x = c.getContext('2d'); x.drawImage(img, 0, 0);
  const d = x.getImageData(0, 0, c.width, c.height).data;
  let n = 0, m = 0, m2 = 0, h = 0;
  for (let i = 0; i < d.length; i += 4) {
    const l = (d[i] + d[i + 1] + d[i + 2]) / 3; n++; m += l; m2 += l * l;
    h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) % 1000000007;
  }
  m /= n; return {w: img.naturalWidth, h: img.naturalHeight, std: Math.sqrt(Math.max(0, m2 / n - m * m)), hash: h};
}"""


class Failure(Exception): pass

try: from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError: PlaywrightTimeout = TimeoutError


def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def start_lab(root, port, token, state, log):
    "Start JupyterLab serving `root`; return the process once its REST API answers (60 s at most)."
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(state / 'settings'), JUPYTERLAB_WORKSPACES_DIR=str(state / 'workspaces'),
               JUPYTER_RUNTIME_DIR=str(state / 'runtime'), JUPYTER_CONFIG_DIR=str(state / 'config'))
    # No news feed or update check (they would reach out to the internet and put a notice over the page), and
    # every cell kept in the page (by default JupyterLab renders only the cells in view, so prompts go blank).
    for plugin, values in (('apputils-extension/notification', {'fetchNews': 'false', 'checkForUpdates': False}),
                           ('notebook-extension/tracker', {'windowingMode': 'none'})):
        f = state / 'settings' / '@jupyterlab' / f'{plugin}.jupyterlab-settings'
        f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(values))
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}']
    if os.geteuid() == 0: cmd.append('--allow-root')
    lab = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    deadline = time.monotonic() + 60
    while True:
        try:
            req = urllib.request.Request(f'http://127.0.0.1:{port}/api/status', headers={'Authorization': f'token {token}'})
            with urllib.request.urlopen(req, timeout=5): return lab
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if lab.poll() is not None or time.monotonic() > deadline:
                stop(lab); log.seek(0)
                raise Failure('JupyterLab did not start: ' + log.read().decode(errors='replace').strip().splitlines()[-1])
            time.sleep(0.5)


def shutdown_kernels(port, token):
    "Shut down every kernel of the server through its REST API."
    def call(path, method='GET'):
        req = urllib.request.Request(f'http://127.0.0.1:{port}{path}', method=method, headers={'Authorization': f'token {token}'})
        with urllib.request.urlopen(req, timeout=30) as r: return json.loads(r.read() or b'null')
    for k in call('/api/kernels'): call(f"/api/kernels/{k['id']}", 'DELETE')


def stop(lab):
    "Stop the server by its process id, bounded."
    if lab.poll() is None:
        lab.terminate()
        try: lab.wait(timeout=20)
        except subprocess.TimeoutExpired: lab.kill(); lab.wait(timeout=10)


def run_all(page, name):
    "Run every cell of the open notebook through the Run menu; fail on errors or on cells left unrun."
    panel = page.locator('.jp-NotebookPanel:visible')
    panel.locator('.jp-Notebook .jp-Cell').first.wait_for(timeout=60_000)
    dialog = page.locator('.jp-Dialog', has_text='Select Kernel')  # a fresh JupyterLab asks once per notebook
    try: dialog.wait_for(timeout=10_000)
    except PlaywrightTimeout: pass
    else: dialog.locator('.jp-Dialog-button.jp-mod-accept').click(); dialog.wait_for(state='detached', timeout=10_000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=120_000)
    page.locator('#jp-MainMenu .lm-MenuBar-itemLabel', has_text='Run').first.click()
    page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()
    deadline = time.monotonic() + RUN_TIMEOUT
    code = panel.locator('.jp-CodeCell .jp-InputPrompt')
    while True:
        prompts = [t.strip() for t in code.all_inner_texts()]
        if prompts and all(p.startswith('[') and p[1:-2].strip().isdigit() for p in prompts): break
        if panel.locator('.jp-OutputArea-output', has_text='Traceback').count(): break
        if time.monotonic() > deadline:
            raise Failure(f'{name}: cells still unrun after {RUN_TIMEOUT} s (prompts {prompts[:3]}...)')
        time.sleep(0.5)
    errors = panel.locator('.jp-OutputArea-output', has_text='Traceback')
    if errors.count():
        raise Failure(f'{name}: a cell failed in JupyterLab: ' + errors.first.inner_text().strip().splitlines()[-1][:200])
    return len(prompts)


def picture(img):
    "Size, grey-level spread and a pixel hash of an <img>, once it has loaded."
    img.evaluate('i => i.decode ? i.decode().catch(() => null) : null')
    return img.evaluate(STD_JS)


def check_explorer(page, out):
    "The widget shows sliders and a picture; a change of the `y` slider changes the picture."
    panel = page.locator('.jp-NotebookPanel:visible')
    widget = panel.locator('.jp-OutputArea-output .widget-vbox').last
    widget.wait_for(timeout=30_000)
    sliders = widget.locator('.widget-slider')
    labels = [t.strip() for t in widget.locator('.widget-slider .widget-label').all_inner_texts()]
    if labels[:3] != ['y', 'x', 'bandwidth']: raise Failure(f'{EXPLORER}: the widget shows sliders {labels}, expected y, x, bandwidth')
    img = widget.locator('img').first
    before = picture(img)
    if not before['w'] or before['std'] < MIN_STD: raise Failure(f'{EXPLORER}: the widget picture is missing or blank ({before})')
    widget.scroll_into_view_if_needed(); widget.screenshot(path=str(out / 'explorer_before.png'))
    readout = sliders.nth(0).locator('.widget-readout')
    old = readout.inner_text().strip()
    new = '10' if old != '10' else '20'
    readout.click(); page.keyboard.press('Control+A'); page.keyboard.type(new); page.keyboard.press('Enter')
    deadline = time.monotonic() + 30
    while True:
        after = picture(img)
        if after['hash'] != before['hash']: break
        if time.monotonic() > deadline: raise Failure(f'{EXPLORER}: the picture did not change after y went from {old} to {new}')
        time.sleep(0.3)
    if readout.inner_text().strip() != new: raise Failure(f'{EXPLORER}: the y readout shows {readout.inner_text()!r}, expected {new}')
    if after['std'] < MIN_STD: raise Failure(f'{EXPLORER}: the widget picture is blank after the change')
    widget.screenshot(path=str(out / 'explorer_after.png'))
    return old, new


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', default=DEFAULT, help='notebooks in nbs/ to run')
    ap.add_argument('--out', default=str(ROOT / '_proc' / 'jupyterlab'), help='folder for the screenshots')
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright, Error as PlaywrightError
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    missing = [n for n in a.notebooks if not (ROOT / 'nbs' / n).exists()]
    if missing: print(f'jupyterlab: FAILED: no notebook nbs/{missing[0]}'); return 1
    t0, done, lab = time.perf_counter(), [], None
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as log:
        tmp = Path(tmp); root, state = tmp / 'notebooks', tmp / 'state'
        root.mkdir(); state.mkdir()
        for n in a.notebooks: shutil.copy(ROOT / 'nbs' / n, root / n)
        if (ROOT / 'nbs' / 'images').is_dir(): shutil.copytree(ROOT / 'nbs' / 'images', root / 'images')
        port, token = free_port(), secrets.token_hex(16)
        try:
            lab = start_lab(root, port, token, state, log)
            with sync_playwright() as pw:
                ctx = pw.chromium.launch_persistent_context(str(state / 'chromium'), executable_path=chromium.executable(), headless=True,
                                                            args=chromium.ARGS, viewport=dict(width=1400, height=1000))
                try:
                    for n in a.notebooks:  # each in a fresh page and workspace, its kernel shut down after it
                        page = ctx.new_page()
                        try:
                            page.goto(f'http://127.0.0.1:{port}/lab/tree/{n}?reset&token={token}', wait_until='load', timeout=60_000)
                            cells = run_all(page, n)
                            page.screenshot(path=str(out / f'{Path(n).stem}.png'))
                            extra = ''
                            if n == EXPLORER: extra = ', widget redrawn for y {} -> {}'.format(*check_explorer(page, out))
                        except (Failure, PlaywrightError) as e:
                            page.screenshot(path=str(out / 'failure.png'))
                            raise Failure(f'{n}: {e}') if isinstance(e, PlaywrightError) else e
                        done.append(f'{n} ({cells} cells{extra})')
                        page.close(); shutdown_kernels(port, token)
                finally: ctx.close()
        except (Failure, PlaywrightError) as e:
            msg = ' '.join(str(e).split())[:300] or type(e).__name__
            print(f'jupyterlab: FAILED {msg} (screenshots in {out})'); return 1
        finally:
            if lab is not None: stop(lab)
    print(f'jupyterlab: ran {", ".join(done)} through the JupyterLab UI in {time.perf_counter() - t0:.0f} s; screenshots in {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
