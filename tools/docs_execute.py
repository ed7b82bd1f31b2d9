"""Run the notebooks of a folder in place and keep their outputs, so that the docs pages show every lesson's value.

Used on a *copy* of nbs/ (tools/docs_check.sh) or on the throwaway checkout of the docs workflow, never on the
committed notebooks, which stay free of outputs. Cells run as `nbdev_test --flags slow` runs them: in the
notebook's folder, `slow` cells included, cells flagged with another test flag (`cuda`) or `eval: false` skipped.
Outputs are trimmed for a page: widget views (they need a live kernel) are dropped and long text keeps its head
and tail. Prints one line per notebook with its time; on an error, one line naming the notebook and the cell, and
exits 1.

    python tools/docs_execute.py DIR [--workers N] [--skip-slow]
"""
import argparse, os, re, sys, time
from pathlib import Path

MAX_LINES = 40  # a text output longer than this keeps its first and last 20 lines
WIDGET = 'application/vnd.jupyter.widget-view+json'


def skip_test(flags):
    "A `preproc` for execnb's `run_all`: True for the cells `nbdev_test` skips when `flags` are the skipped flags."
    from fastcore.basics import AttrDict
    from nbdev.process import extract_directives
    def skip(cell):
        if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
        d = extract_directives(AttrDict(source=cell.source), remove=False) or {}
        return d.get('eval:', [''])[0].lower() == 'false' or bool(set(flags) & d.keys())
    return skip


def trim(outputs):
    "Outputs fit for a static page: no widget views, long text cut in the middle."
    kept = []
    for o in outputs:
        if o.get('output_type') in ('display_data', 'execute_result') and WIDGET in o.get('data', {}):
            continue
        for holder, key in ((o, 'text'), (o.get('data', {}), 'text/plain')):
            text = holder.get(key)
            if text is None: continue
            text = ''.join(text) if isinstance(text, list) else text
            text = re.sub(r'[^\n]*\r(?!\n)', '', text)  # progress bars: only their last state
            lines = text.splitlines(keepends=True)
            if len(lines) > MAX_LINES:
                cut = len(lines) - MAX_LINES
                lines = lines[:MAX_LINES // 2] + [f'... ({cut} lines cut for the page) ...\n'] + lines[-MAX_LINES // 2:]
            holder[key] = ''.join(lines)
        kept.append(o)
    return kept


def run_one(path, flags):
    "Execute the notebook at `path` in place; return (name, seconds, error line or None)."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    path, t0 = Path(path), time.perf_counter()
    nb = read_nb(path)
    shell = CaptureShell(path, mpl_format='png')
    skip, err = skip_test(flags), None
    try:
        with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=skip)
    except BaseException as e:
        cells = [i for i, c in enumerate(nb.cells) if c.cell_type == 'code' and c.get('outputs')
                 and any(o.get('output_type') == 'error' for o in c.outputs)]
        where = f'cell {cells[-1]}' if cells else 'a cell'
        err = f'{where}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}'
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = trim(c.get('outputs', []))
    write_nb(nb, path)
    return path.name, time.perf_counter() - t0, err


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('dir', help='folder whose notebooks run in place (a copy of nbs/)')
    ap.add_argument('--workers', type=int, default=2, help='notebooks run at once')
    ap.add_argument('--skip-slow', action='store_true', help='skip `slow` cells too (a quick look; pages lack their results)')
    a = ap.parse_args()
    d = Path(a.dir)
    if not d.is_dir(): sys.exit(f'docs_execute: {d} is not a folder.')
    from nbdev.config import get_config
    flags = set(get_config().tst_flags.split()) - {'slow'}  # the cells nbdev_test --flags slow skips
    if a.skip_slow: flags.add('slow')
    nbs = sorted(p for p in d.rglob('*.ipynb') if not p.name.startswith('_') and '.ipynb_checkpoints' not in p.parts)
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    from concurrent.futures import ProcessPoolExecutor
    import docs_execute  # the workers find `run_one` by its module: IPython replaces `__main__` in each of them
    t0, failed = time.perf_counter(), []
    with ProcessPoolExecutor(max(1, a.workers)) as pool:
        for name, secs, err in pool.map(docs_execute.run_one, nbs, [flags] * len(nbs)):
            print(f'{name}: {secs:.1f} s' + (f' FAILED at {err}' if err else ''), flush=True)
            if err: failed.append(f'{name} ({err})')
    print(f'executed {len(nbs) - len(failed)} of {len(nbs)} notebooks in {time.perf_counter() - t0:.0f} s'
          + (f'; failed: {", ".join(failed)}' if failed else ''))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
