"""`python -m docanalysis ...`: see docanalysis.cli."""
import sys

from docanalysis.cli import main

sys.exit(main())
