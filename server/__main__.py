"""``python -m tactful.server``: the same as the ``tactful`` command."""

import sys

from tactful.server.cli import main

sys.exit(main())
