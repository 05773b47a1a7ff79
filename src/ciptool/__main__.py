"""Allow ``python -m ciptool``."""

from ciptool.cli import main

main()
