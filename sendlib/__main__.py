"""``python -m sendlib``: the same as the ``sendlib`` command (see ``sendlib --help``)."""

import sys

from sendlib.cli import main

if __name__ == "__main__":
    sys.exit(main())
