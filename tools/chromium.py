"""Where the headless browser of the docs and JupyterLab checks is, and how it starts."""
import os, shutil

# Headless, no sandbox (the checks run as root in CI), nothing fetched from the network, no first-run pages.
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']


def executable() -> str:
    "$CHROMIUM, else Debian's /usr/bin/chromium, else a Chrome or Chromium on PATH (GitHub's runners have Chrome)."
    for c in (os.environ.get('CHROMIUM'), '/usr/bin/chromium', shutil.which('chromium'), shutil.which('google-chrome'),
              shutil.which('chromium-browser')):
        if c and os.path.exists(c): return c
    raise SystemExit('No Chromium found: install the Debian packages chromium and chromium-driver (.ci/run does), '
                     'or set CHROMIUM to a Chrome or Chromium executable.')
