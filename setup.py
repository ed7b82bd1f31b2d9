"""Packaging for spoco: everything is read from `settings.ini`, which nbdev also reads."""
from configparser import ConfigParser
from pathlib import Path

import setuptools
from packaging.version import parse

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

missing = [k for k in 'version description repo user author author_email license min_python'.split() if k not in cfg]
if missing: raise SystemExit(f'settings.ini is missing: {", ".join(missing)}')

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()
min_python = parse(cfg['min_python'])
lic = licenses[cfg['license']]

requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
bioimageio_requirements = cfg.get('bioimageio_requirements', '').split()
napari_requirements = cfg.get('napari_requirements', '').split()
scripts = [s.strip() for s in cfg.get('console_scripts', '').splitlines() if s.strip()]

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(Path(__file__).parent/'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    url=cfg['git_url'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=lic[0],
    keywords=cfg.get('keywords', '').split(),
    classifiers=[
        f'Development Status :: {statuses[int(cfg["status"])]}',
        f'Intended Audience :: {cfg["audience"]}',
        f'License :: {lic[1]}',
        f'Natural Language :: {cfg["language"]}',
    ] + [f'Programming Language :: Python :: {v}' for v in py_versions if parse(v) >= min_python],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True,
    package_data={cfg['lib_name']: ['napari.yaml']},
    python_requires=f'>={cfg["min_python"]}',
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'bioimageio': bioimageio_requirements, 'napari': napari_requirements},
    entry_points={'console_scripts': scripts, 'nbdev': [f'{cfg["lib_name"]}={cfg["lib_name"]}._modidx:d'],
                  'napari.manifest': [f'{cfg["lib_name"]} = {cfg["lib_name"]}:napari.yaml']},
    zip_safe=False,
)
