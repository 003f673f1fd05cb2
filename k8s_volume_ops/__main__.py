"""`python -m k8s_volume_ops` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
