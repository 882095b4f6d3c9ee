"""``ocx-reports build``: many reports from one TOML file, in parallel, incrementally, crash-safely.

The pieces, in the order a build uses them:

    config.py      read and validate the TOML file (errors name the key)
    plan.py        expand it into concrete jobs (one per report)
    runner.py      run one job in a worker: fetch, fingerprint, execute, export
    parameters.py  papermill-style parameter injection
    manifest.py    fingerprints, and the manifest that remembers them
    executors.py   a local process pool or a Dask cluster, one interface
    batch.py       submit the jobs; write each finished report atomically, then the manifest
    progress.py    live bar on a terminal, one line per report in CI
    summary.py     the closing table, ``--summary-json`` and ``--junit-xml``
    command.py     the ``build`` and ``render`` subcommands
"""
