"""Write README.md from nbs/index.ipynb without Quarto; `--check` fails if README.md is not current."""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nb_path, readme = root/'nbs'/'index.ipynb', root/'README.md'
footer = '\n<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run `make readme`. -->\n'

def directives(src):
    "The `#| name` directives at the top of a code cell."
    return {m.group(1) for m in re.finditer(r'^#\|\s*([\w-]+)', src, re.M)}

def code_md(src):
    body = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
    return f'```python\n{body}\n```' if body else ''

def outputs_md(outputs):
    parts = []
    for o in outputs:
        text = o.get('text') if o['output_type'] == 'stream' else o.get('data', {}).get('text/plain')
        if o.get('data', {}).get('image/png') is not None: continue  # pictures live in the docs site
        if text: parts.append('```\n' + ''.join(text).rstrip() + '\n```')
    return parts

def relink(md):
    "Relative links in the notebook point into nbs/; from the repository root they need the prefix."
    return re.sub(r'(!?\[[^\]]*\]\()(?!https?:|#|/)([^)]+\))', r'\1nbs/\2', md)

def render():
    cells, out = json.loads(nb_path.read_text())['cells'], []
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(relink(src.strip()))
        elif c['cell_type'] == 'code':
            d = directives(src)
            if d & {'hide', 'export', 'exporti', 'exports'} or 'hide_input' in d: continue
            out += [p for p in [code_md(src)] + outputs_md(c.get('outputs', [])) if p]
    return '\n\n'.join(p for p in out if p) + '\n' + footer

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv[1:]:
        current = readme.read_text() if readme.exists() else ''
        sys.exit(0 if current == text else 1)
    readme.write_text(text)
    print(f'wrote {readme.relative_to(root)}')
