"""cxpipeline: contact lists in, dialer-ready and law-abiding calling lists out."""

__version__ = "0.1.0"
