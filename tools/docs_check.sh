#!/usr/bin/env bash
# The docs check without Quarto, pages with their outputs: tools/docs_execute.py runs a copy of the notebooks
# (as `nbdev_test --flags slow` does) and keeps their outputs, nbdev_proc_nbs writes the processed notebooks to
# _proc/, `jupyter nbconvert --to html` renders each of them into _proc/html/, and tools/docs_browser.py opens
# every page in headless Chromium (figures present and not blank, the --help texts and score tables of the key
# pages) and keeps a screenshot of each key page in _proc/screenshots/. Fails with one line naming the notebook
# or page. Ends with one line `docs: ...`. Writes nothing but _proc/ (git-ignored); logs in _proc/*.log.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# nbdev_proc_nbs also rewrites nbs/nbdev.yml, nbs/sidebar.yml (with its file filter cleared, so it lists every
# file) and tries to install Quarto when none is on PATH. It therefore runs on a copy of settings.ini and nbs/,
# with a stand-in `quarto` that only says it is a stand-in: processing itself never calls Quarto.
cp -r settings.ini nbs "$work/"
mkdir "$work/bin"
printf '#!/bin/sh\necho "quarto is not installed (stand-in used by tools/docs_check.sh)" >&2\nexit 1\n' > "$work/bin/quarto"
chmod +x "$work/bin/quarto"
rm -rf _proc && mkdir -p _proc
if ! python tools/docs_execute.py "$work/nbs" > _proc/execute.log 2>&1; then
  echo "docs: FAILED executing the notebooks: $(grep -o 'failed: .*' _proc/execute.log || tail -1 _proc/execute.log); see _proc/execute.log"
  exit 1
fi
if ! (cd "$work" && PATH="$work/bin:$PATH" nbdev_proc_nbs) > _proc/proc.log 2>&1; then
  python - _proc/proc.log <<'PY'
import json, re, sys
from pathlib import Path
log = Path(sys.argv[1]).read_text()
m = re.search(r'Error in notebook: (.*?) in cell (\d+)', log)
errors = re.findall(r'^(\w+(?:Error|Exception): .*)$', log, re.M)
titles = {}
for p in sorted(Path('nbs').rglob('*.ipynb')):
    md = [c for c in json.loads(p.read_text())['cells'] if c['cell_type'] == 'markdown']
    h1 = next((l[2:].strip() for c in md for l in ''.join(c['source']).splitlines() if l.startswith('# ')), None)
    titles[h1] = p.name
name = titles.get(m.group(1), repr(m.group(1))) if m else 'a notebook'
where = f' (cell {m.group(2)}: {errors[0]})' if m and errors else ''
print(f'docs: FAILED processing {name}{where}; see _proc/proc.log')
PY
  exit 1
fi
cp -r "$work/_proc/." _proc/

# Quarto shows a page's front matter as its H1 title and summary; this nbconvert configuration does the same,
# so the HTML shows what the published page will.
cat > "$work/render.py" <<'PY'
import nbformat, yaml
from nbconvert.preprocessors import Preprocessor

class QuartoLike(Preprocessor):
    "Front matter as an H1 title and `> summary` line; code of `#| echo: false` cells hidden — as Quarto renders them."
    def preprocess(self, nb, resources):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == 'raw' and cell.source.lstrip().startswith('---') and 'title' not in nb.metadata:
                meta = yaml.safe_load(cell.source.split('---')[1]) or {}
                title, summary = meta.get('title', ''), meta.get('description', '')
                nb.cells[i] = nbformat.v4.new_markdown_cell(f'# {title}' + (f'\n\n> {summary}' if summary else ''))
                nb.metadata['title'] = title
            elif cell.cell_type == 'code' and '#| echo: false' in cell.source.splitlines():
                cell.metadata['transient'] = {'remove_source': True}
        return nb, resources

c.HTMLExporter.preprocessors = [QuartoLike]
PY
mkdir -p _proc/html
[ -d nbs/images ] && cp -r nbs/images _proc/html/
pages=(_proc/*.ipynb)
if ! jupyter nbconvert --to html --config "$work/render.py" --output-dir _proc/html "${pages[@]}" > _proc/html.log 2>&1; then
  nb=$(grep -o 'Converting notebook [^ ]*' _proc/html.log | tail -1 | cut -d' ' -f3)
  echo "docs: FAILED converting ${nb:-a notebook} to HTML ($(grep -E '^\w+(Error|Exception)' _proc/html.log | tail -1)); see _proc/html.log"
  exit 1
fi

python - "${pages[@]}" <<'PY'
import html, json, re, sys
from pathlib import Path
bad = []
for p in map(Path, sys.argv[1:]):
    src = json.loads((Path('nbs') / p.name).read_text())['cells']
    md = ''.join(''.join(c['source']) + '\n' for c in src if c['cell_type'] == 'markdown')
    h1 = next((l[2:].strip() for l in md.splitlines() if l.startswith('# ')), None)
    page = Path('_proc/html') / p.with_suffix('.html').name
    if not page.exists(): bad.append(f'docs: FAILED {p.name}: no page {page}'); continue
    shown = [html.unescape(re.sub(r'<[^>]+>|¶', '', t)).strip() for t in re.findall(r'<h1[^>]*>(.*?)</h1>', page.read_text(), re.S)]
    if h1 is None: bad.append(f'docs: FAILED {p.name}: the notebook has no H1 title')
    elif h1 not in shown: bad.append(f'docs: FAILED {p.name}: {page} does not show its title "{h1}"')
if bad: print('\n'.join(bad)); sys.exit(1)
PY
[ $? -eq 0 ] || exit 1
python tools/docs_browser.py _proc/html _proc/screenshots > _proc/browser.log 2>&1
rc=$?; cat _proc/browser.log | grep '^docs:' || tail -3 _proc/browser.log; exit $rc
