"""``python -m cli …`` is ``parknews …``."""

from cli.main import main

main()
