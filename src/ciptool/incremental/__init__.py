"""All reuse of earlier work: file signatures, the per-file cache, read-ahead workers, kept
results and the partial recheck. It supplies the loader a file source
(:mod:`ciptool.loader.source`) that takes unchanged files from the cache and records what was
read. Only the commands import this package (:mod:`ciptool.app`, and :mod:`ciptool.cli` for
the cache folder and the read-ahead); a result made here is always the one a run without it
would make.
"""
