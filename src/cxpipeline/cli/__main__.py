"""`python -m cxpipeline.cli`: the command line."""

from cxpipeline.cli import main

main()
