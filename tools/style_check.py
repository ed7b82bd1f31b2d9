"""House-style checks of the notebooks and the package (run by `make test`):

1. every numbered notebook starts with its H1 title;
2. every parameter of every public function and class the package exports is documented (a docments comment);
3. every lesson cell (a code cell that asserts) ends by showing a value: an expression, a `print`, or a figure,
   not an assertion.

    python tools/style_check.py [NOTEBOOK ...]     # default: all numbered notebooks; exit 1 with a list of faults
"""
import ast, glob, importlib, inspect, json, pkgutil, re, sys
from pathlib import Path

SKIP = re.compile(r'#\|\s*(export|exporti|hide|default_exp|eval:\s*false)')
CHECKS = ('test_', 'assert')


def h1_first(nb: dict) -> bool:
    c = nb['cells'][0]
    return c['cell_type'] == 'markdown' and ''.join(c['source']).startswith('# ')


def shows_value(src: str) -> bool:
    "Whether a cell's last statement shows something: an expression that is not an assertion call."
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('#|', '%', '!')))
    try: body = ast.parse(code).body
    except SyntaxError: return True  # not Python we can judge
    if not body or not isinstance(body[-1], ast.Expr): return False
    v = body[-1].value
    name = getattr(getattr(v, 'func', None), 'id', '') or getattr(getattr(v, 'func', None), 'attr', '')
    return not (isinstance(v, ast.Call) and name.startswith('test_'))


def lesson_faults(path: str) -> list:
    nb, faults = json.load(open(path)), []
    if not h1_first(nb): faults.append(f'{path}: the first cell is not the H1 title')
    for c in nb['cells']:
        s = ''.join(c['source'])
        if c['cell_type'] != 'code' or SKIP.search(s) or not any(k in s for k in CHECKS): continue
        if not shows_value(s): faults.append(f"{path} cell {c.get('id')}: the lesson ends with `{s.strip().splitlines()[-1][:70]}`, not a shown value")
    return faults


def params(obj) -> list:
    f = obj if not inspect.isclass(obj) or hasattr(obj, '__dataclass_fields__') else obj.__init__
    try: return [p for p in inspect.signature(f).parameters if p not in ('self', 'cls', 'args', 'kwargs')]
    except (TypeError, ValueError): return []


def docments_faults() -> list:
    from fastcore.docments import docments
    import spoco
    faults = []
    for m in pkgutil.walk_packages(spoco.__path__, 'spoco.'):
        if m.name.endswith('_modidx'): continue
        mod = importlib.import_module(m.name)
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name, None)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != m.name: continue
            if inspect.isclass(obj) and not hasattr(obj, '__dataclass_fields__') and obj.__init__ is object.__init__: continue
            if inspect.isclass(obj) and any(b.__module__ in ('argparse', 'builtins') and b is not object for b in obj.__mro__[1:]) and '__init__' not in vars(obj): continue
            doc = docments(obj if not inspect.isclass(obj) or hasattr(obj, '__dataclass_fields__') else obj.__init__)
            missing = [p for p in params(obj) if not doc.get(p)]
            if missing: faults.append(f'{m.name}.{name}: no comment for {", ".join(missing)}')
    return faults


if __name__ == '__main__':
    paths = sys.argv[1:] or sorted(p for p in glob.glob('nbs/[0-9]*.ipynb'))
    faults = [f for p in paths for f in lesson_faults(p)] + ([] if sys.argv[1:] else docments_faults())
    print('\n'.join(faults) or 'style: every notebook and exported signature follows the house style')
    sys.exit(1 if faults else 0)
