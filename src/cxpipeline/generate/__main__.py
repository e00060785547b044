"""Run `python -m cxpipeline.generate` (see cxpipeline.generate.command)."""

from cxpipeline.generate.command import main

if __name__ == "__main__":
    main()
