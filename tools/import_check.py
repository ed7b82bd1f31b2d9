"""Notebooks are numbered in the order data flows; an exported cell that imports the module of a later notebook breaks
that order (and is how import loops start). This check reads every numbered notebook's exported cells, resolves each
`spoco.*` import (at module level or inside a function) to the notebook that exports it, and fails on an import of a
later notebook that is not among the KNOWN ones below (none are left). It also fails when a KNOWN entry no longer
occurs, so the list only shrinks.

    python tools/import_check.py    # one line; exit 1 with the offending imports
"""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWN = {  # notebook -> modules of later notebooks it still imports
}


def exported_source(nb: Path) -> tuple:
    "(the module the notebook exports or None, the source of its exported cells)."
    cells = [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
    module = next((m.group(1) for s in cells for m in [re.search(r'^#\|\s*default_exp\s+(\S+)', s, re.M)] if m), None)
    code = [s for s in cells if re.search(r'^#\|\s*export', s, re.M)]
    return (None if module is None else f'spoco.{module}'), '\n'.join(code)


def imports(source: str, module: str) -> set:
    "The spoco modules that `source` (the code of `module`) imports, relative imports resolved."
    found, package = set(), module.rsplit('.', 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import): found |= {a.name for a in node.names if a.name.startswith('spoco.')}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level: base = '.'.join(package.split('.')[:len(package.split('.')) - node.level + 1] + ([base] if base else []))
            if base.startswith('spoco.'): found.add(base)
            elif base == 'spoco': found |= {f'spoco.{a.name}' for a in node.names}
    return found


def main() -> int:
    nbs = sorted(p for p in (ROOT / 'nbs').glob('[0-9]*.ipynb'))
    src = {p.name: exported_source(p) for p in nbs}
    owner = {m: name for name, (m, _) in src.items() if m}
    order = {p.name: i for i, p in enumerate(nbs)}
    later = {}
    for name, (module, code) in src.items():
        if module is None: continue
        for m in imports(code, module):
            if m in owner and order[owner[m]] > order[name]: later.setdefault(name, set()).add(m)
    new = {k: v - KNOWN.get(k, set()) for k, v in later.items() if v - KNOWN.get(k, set())}
    gone = {k: v - later.get(k, set()) for k, v in KNOWN.items() if v - later.get(k, set())}
    if new: print('imports of later notebooks: ' + '; '.join(f'{k} imports {", ".join(sorted(v))}' for k, v in sorted(new.items())))
    if gone: print('no longer imported (remove from KNOWN in tools/import_check.py): ' + '; '.join(f'{k}: {", ".join(sorted(v))}' for k, v in sorted(gone.items())))
    if new or gone: return 1
    print(f'imports: no notebook imports a later one beyond the {sum(map(len, KNOWN.values()))} known imports in tools/import_check.py')
    return 0


if __name__ == '__main__':
    sys.exit(main())
