"""What each command does, one module per command; the command line only parses options.

Only this package uses :mod:`ciptool.incremental`, the reuse of earlier work: everything below
it reads and checks a repository the same way with or without a cache.
"""
